package evaluate

import (
	"fmt"
	"os"
	"testing"
)

func TestDump(t *testing.T) {
	if os.Getenv("DUMP") == "" {
		t.Skip()
	}
	for _, s := range samples {
		for lv, txt := range map[string]string{"A1": s.a1, "B1": s.b1, "C1": s.c1} {
			in := Input{Kind: s.kind, Text: txt, Prompt: s.prompt}
			f := analyse(in)
			r := Offline(in)
			fmt.Printf("== %s %s: overall %v %s\n", s.name, lv, r.OverallScore, r.CEFREstimate)
			for _, c := range r.Criteria {
				fmt.Printf("   %s %v\n", c.Criterion, c.Score)
			}
			fmt.Printf("   words %d sents %d msl %.1f cv %.2f links %v lvl %.2f uses %d reasons %d sub %d struct %v\n", f.original, f.sentences, f.meanSentLen, f.sentLenCV, sortedLinks(f.links), f.linkLevelMean, f.linkUses, f.reasons, f.subClauses, f.structures)
			fmt.Printf("   b2 %.2f b3 %.2f mattr %.2f mtld %.1f distinct %d rel %.2f cov %.2f dens %.2f miss %v err %v/%v opener %s %.2f\n", f.band2Share, f.band3Share, f.mattr, f.mtld, f.distinctContent, f.relevance, f.coverage, f.density, f.missing, f.grammarErr, f.mechErr, f.opener, f.openerShare)
			for _, m := range f.mistakes {
				fmt.Printf("   ! %s %s\n", m.Rule, m.Message)
			}
			if os.Getenv("DUMP") == "2" {
				fmt.Println("   FB:", r.Feedback)
				for _, c := range r.Criteria {
					fmt.Printf("   %s: %s\n", c.Criterion, c.Feedback)
				}
			}
		}
	}
}
