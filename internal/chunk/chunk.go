// Package chunk splits Markdown (or plain text) into retrieval-sized pieces: by headings first,
// then by blocks (paragraphs, lists, fenced code, tables), and only when a block is too big by
// list items, sentences, lines, clauses and words, under a size bound, with a little overlap
// where a section has to be cut. It is pure: no I/O, no state, safe for concurrent use.
// docs/library.md states the rules.
package chunk

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Default sizes, in bytes of UTF-8 text. Bytes rather than characters because they are what
// storage and full-text indexes limit, and because they track tokens across scripts better
// than characters do (a CJK character is one token and three bytes; an English word is about
// one token and five bytes).
const (
	DefaultTarget  = 800
	DefaultMax     = 1500
	DefaultOverlap = 200
	// MinMax is the smallest hard limit Split accepts; smaller values are raised to it.
	MinMax = 32
	// MaxHeadingTitle bounds each heading's title in a Chunk's heading path.
	MaxHeadingTitle = 100
)

// Options bound the chunks, in bytes. The zero value means the defaults.
type Options struct {
	// Target is the size a chunk grows to before the next one starts (0: DefaultTarget).
	Target int
	// Max is the hard limit: no chunk is longer (0: DefaultMax). A block no longer than Max
	// (a paragraph, a list, a code block, a table) is never cut.
	Max int
	// Overlap is the most of a chunk's tail repeated at the start of the next one when a
	// section has to be cut: its last sentences that fit, else its last words (0:
	// DefaultOverlap; negative: no overlap). It is capped at Target/2.
	Overlap int
}

// Chunk is one piece of a document, in document order.
type Chunk struct {
	// Index is the chunk's position, from 0.
	Index int
	// Heading is the path of the headings the chunk sits under, outermost first, joined by
	// " > " ("Conditionals > Second conditional"); "" before the first heading. Chunks after
	// the first of a section do not repeat the heading line in Text, so index Heading too.
	Heading string
	// Text is the input between Start and End with CRLF and CR line ends turned into LF. It
	// is never blank and has no trailing white space.
	Text string
	// Start and End are byte offsets into the input: Text comes from input[Start:End].
	// Overlapping chunks overlap here too: a chunk's Start may lie before the previous End.
	Start, End int
}

func (o Options) normalized() Options {
	if o.Max <= 0 {
		o.Max = DefaultMax
	}
	o.Max = max(o.Max, MinMax)
	if o.Target <= 0 {
		o.Target = DefaultTarget
	}
	o.Target = min(o.Target, o.Max)
	switch {
	case o.Overlap == 0:
		o.Overlap = DefaultOverlap
	case o.Overlap < 0:
		o.Overlap = 0
	}
	o.Overlap = min(o.Overlap, o.Target/2)
	return o
}

// Split cuts markdown into chunks. Sections start new chunks (small subsections and empty
// headings join the chunk of their section); blocks pack up to Target; a block is cut only
// when longer than Max, between list items, sentences, lines, clauses or words, in that order
// of preference, and between characters (never inside a UTF-8 sequence or before a
// combining mark) only in a run of about Max/2 bytes without white space. No chunk is longer
// than Max; every non-blank byte of the input lies in some chunk; chunks come in order
// (Start and End strictly increase). Empty or blank input gives none. A leading byte order
// mark is skipped.
func Split(markdown string, opt Options) []Chunk {
	sp := splitter{src: markdown, opt: opt.normalized()}
	start := 0
	if strings.HasPrefix(markdown, "\uFEFF") {
		start = len("\uFEFF")
	}
	blocks := parse(markdown, start)
	last, top, tops := -1, 7, 0 // last: end of the last block before the next heading
	for i := len(blocks) - 1; i >= 0; i-- {
		switch b := &blocks[i]; {
		case b.kind != kindHeading:
			last = max(last, b.end)
		default:
			b.sectionEnd = max(last, b.end)
			last = -1
			if b.level < top {
				top, tops = b.level, 0
			}
			if b.level == top {
				tops++
			}
		}
	}
	if tops == 1 {
		sp.titleLevel = top // one heading above all others is the document's title
	}
	for _, b := range blocks {
		sp.add(b)
	}
	sp.flush()
	return sp.out
}

type kind uint8

const (
	kindText kind = iota // paragraphs, lists, block quotes
	kindHeading
	kindCode
	kindTable
)

type block struct {
	kind       kind
	start, end int // end excludes the line terminator
	level      int // headings only
	title      string
	sectionEnd int // headings only: where the text under it ends, before the next heading
}

type heading struct {
	level int
	title string
}

type splitter struct {
	src  string
	opt  Options
	out  []Chunk
	path []heading
	head string // path joined

	// The chunk being built spans src[cs:ce].
	open       bool
	cs, ce     int
	body       bool   // holds more than headings and overlap
	headings   bool   // holds a heading
	chunkHead  string // the heading path where its body starts, and that heading's level
	chunkLevel int
	titleLevel int  // level of the document's title heading, if it has one; else 0
	tailKind   kind // kind of the last block taken, and where its part in the chunk starts
	tailStart  int
	carry      bool // the next chunk continues the same section: start it with an overlap
	prev       Chunk
	prevTail   int
	prevKindOK bool // the previous chunk ended in prose, so an overlap can come from it
}

func (sp *splitter) add(b block) {
	t, m := sp.opt.Target, sp.opt.Max
	if b.kind == kindHeading {
		// A whole subsection that fits joins the chunk of its parent section (except under
		// the document's title: its sections start chunks of their own).
		sub := sp.open && sp.body && b.level > sp.chunkLevel && sp.chunkLevel != sp.titleLevel &&
			b.sectionEnd-sp.cs <= t
		if sp.open && !sub && (sp.body || b.end-sp.cs > t) {
			sp.flush()
		}
		sp.carry = false
		for len(sp.path) > 0 && sp.path[len(sp.path)-1].level >= b.level {
			sp.path = sp.path[:len(sp.path)-1]
		}
		sp.path = append(sp.path, heading{b.level, b.title})
		sp.head = joinPath(sp.path)
	}
	s, e := b.start, b.end
	for s < e {
		if !sp.open {
			sp.begin(s, e, b.kind)
		}
		switch {
		case e-sp.cs <= t || (e-sp.cs <= m && !sp.body):
			sp.take(b.kind, s, e)
			s = e
		case sp.body || (sp.headings && (b.kind == kindHeading || sp.cs+m-s < m/2)):
			// Full, or holding only headings with too little room left: close it.
			sp.flush()
			sp.carry = b.kind != kindHeading
		default:
			// Nothing but headings or an overlap so far: cut this block to fit.
			p := sp.cut(b.kind, s, e, sp.cs+t, sp.cs+m)
			sp.take(b.kind, s, p)
			sp.flush()
			sp.carry = b.kind != kindHeading
			s = sp.nextStart(p, e)
		}
	}
}

func (sp *splitter) begin(s, e int, k kind) {
	sp.open, sp.body, sp.headings = true, false, false
	sp.cs, sp.ce = s, s
	if sp.carry && k != kindHeading {
		if q := sp.overlapStart(s, e); q >= 0 {
			sp.cs, sp.ce = q, sp.prev.End
		}
	}
	sp.carry = false
}

func (sp *splitter) take(k kind, s, e int) {
	sp.ce = e
	sp.tailKind, sp.tailStart = k, s
	switch {
	case k == kindHeading:
		sp.headings = true
	case !sp.body:
		sp.body = true
		sp.chunkHead, sp.chunkLevel = sp.head, 7 // before any heading: nothing joins
		if len(sp.path) > 0 {
			sp.chunkLevel = sp.path[len(sp.path)-1].level
		}
	}
}

func (sp *splitter) flush() {
	if !sp.open {
		return
	}
	sp.open = false
	start, end := sp.cs, sp.ce
	start = sp.nextStart(start, end) // skip blank lines, keep the first line's indentation
	for end > start && isSpace(sp.src[end-1]) {
		end--
	}
	if start >= end || strings.TrimSpace(sp.src[start:end]) == "" { // Unicode spaces only
		return
	}
	head := sp.head
	if sp.body {
		head = sp.chunkHead
	}
	c := Chunk{Index: len(sp.out), Heading: head, Text: normalizeEOL(sp.src[start:end]), Start: start, End: end}
	sp.out = append(sp.out, c)
	sp.prev, sp.prevTail = c, max(sp.tailStart, start)
	sp.prevKindOK = sp.tailKind == kindText
}

// overlapStart picks where the next chunk starts inside the previous one: the earliest
// sentence or line start in its last Overlap bytes of prose, else the earliest word start
// there; -1 for none. It keeps the next block whole when that block alone would fit.
func (sp *splitter) overlapStart(s, e int) int {
	if sp.opt.Overlap == 0 || !sp.prevKindOK || len(sp.out) == 0 {
		return -1
	}
	p := sp.prev
	lo := max(p.End-sp.opt.Overlap, sp.prevTail, p.Start+1, s-sp.opt.Max/2)
	if e-s <= sp.opt.Max {
		lo = max(lo, e-sp.opt.Max)
	}
	word := -1
	for q := lo; q < p.End; q++ {
		switch sp.startKind(q) {
		case startSentence:
			return q
		case startWord:
			if word < 0 {
				word = q
			}
		}
	}
	return word
}

const (
	startNone = iota
	startWord
	startSentence // also the start of a line
)

func (sp *splitter) startKind(q int) int {
	src := sp.src
	if q <= 0 || q >= len(src) || isSpace(src[q]) || !utf8.RuneStart(src[q]) {
		return startNone
	}
	if !isSpace(src[q-1]) {
		if cjkStop(src, q) {
			return startSentence
		}
		return startNone
	}
	r := q - 1
	for r > 0 && isSpace(src[r-1]) && q-r < 64 {
		r--
	}
	if strings.ContainsAny(src[r:q], "\r\n") || sentenceEnd(src, r) {
		return startSentence
	}
	return startWord
}

// nextStart skips the white space at p (after a cut, or blank lines); from a line start it
// keeps the indentation of the first line with text.
func (sp *splitter) nextStart(p, e int) int {
	q, line := p, -1
	if p == 0 || sp.src[p-1] == '\n' || sp.src[p-1] == '\r' {
		line = p
	}
	for q < e && isSpace(sp.src[q]) {
		if sp.src[q] == '\n' || sp.src[q] == '\r' {
			line = q + 1
		}
		q++
	}
	if q >= e || line < 0 {
		return q
	}
	return line
}

// A level is a kind of place a block may be cut at: at(src, p) says whether a piece may end
// at src[:p]. Levels that need line ends or white space are skipped where there is none.
type level struct {
	at       func(src string, p int) bool
	atLines  bool // cuts only at line ends
	atSpaces bool // cuts only at white space
}

var (
	items       = level{atItem, true, true}
	blankLines  = level{beforeBlankLine, true, true}
	lines       = level{atLineEnd, true, true}
	sentences   = level{sentenceEnd, false, false} // CJK stops need no space
	clauses     = level{clauseEnd, false, false}
	words       = level{wordEnd, false, true}
	textLevels  = []level{items, sentences, lines, clauses, words}
	codeLevels  = []level{blankLines, lines, words}
	tableLevels = []level{lines, words}
)

// cut finds where to end the piece of src[s:e] that starts a chunk: at the best level that
// has a cut point in [lo, pref] (the last one) or in (pref, hard] (the first one), where lo
// is halfway from s to pref. Failing those, the last word end after s, else between
// characters at hard. The result lies in (s, min(hard, e)).
func (sp *splitter) cut(k kind, s, e, pref, hard int) int {
	src := sp.src
	hard = min(hard, e-1)
	pref = min(max(pref, s+1), hard)
	lo := max(s+(pref-s)/2, s+1)
	levels := textLevels
	switch k {
	case kindCode:
		levels = codeLevels
	case kindTable:
		levels = tableLevels
	}
	multiline := strings.ContainsAny(src[lo:hard+1], "\r\n")
	spaced := strings.ContainsAny(src[s:hard+1], spaceBytes)
	for _, l := range levels {
		if (l.atLines && !multiline) || (l.atSpaces && !spaced) {
			continue
		}
		for p := pref; p >= lo; p-- {
			if l.at(src, p) {
				return p
			}
		}
		for p := pref + 1; p <= hard; p++ {
			if l.at(src, p) {
				return p
			}
		}
	}
	for p := lo - 1; p > s && spaced; p-- {
		if wordEnd(src, p) {
			return p
		}
	}
	return runeCut(src, s, hard)
}

// runeCut returns a character boundary in (s, hard], backing off from hard over UTF-8
// continuation bytes, combining marks and zero-width joiners so no character or emoji
// sequence is split (as long as that leaves something before the cut).
func runeCut(src string, s, hard int) int {
	p := hard
	for i := 0; i < utf8.UTFMax-1 && p > s+1 && !utf8.RuneStart(src[p]); i++ {
		p--
	}
	if !utf8.RuneStart(src[p]) {
		return hard
	}
	q := p
	for i := 0; i < 8 && q > s+1; i++ {
		r, _ := utf8.DecodeRuneInString(src[q:])
		before, size := utf8.DecodeLastRuneInString(src[s:q])
		if !unicode.Is(unicode.M, r) && r != '\u200D' && before != '\u200D' {
			return q
		}
		q -= size
	}
	return p
}

func atLineEnd(src string, p int) bool { return src[p] == '\n' || src[p] == '\r' }

func atItem(src string, p int) bool {
	return atLineEnd(src, p) && isListItem(nextLineHead(src, p))
}

func beforeBlankLine(src string, p int) bool {
	if !atLineEnd(src, p) {
		return false
	}
	l := nextLineHead(src, p)
	return len(l) < lineHead && isBlank(l)
}

// lineHead is how much of a line the cut levels look at: enough for a list marker after
// some indentation, and it keeps each look constant-time on huge lines.
const lineHead = 64

// nextLineHead returns up to lineHead bytes of the line after the terminator at p.
func nextLineHead(src string, p int) string {
	i := p + 1
	if src[p] == '\r' && i < len(src) && src[i] == '\n' {
		i++
	}
	l := src[i:min(len(src), i+lineHead)]
	if j := strings.IndexAny(l, "\r\n"); j >= 0 {
		l = l[:j]
	}
	return l
}

func wordEnd(src string, p int) bool { return isSpace(src[p]) && !isSpace(src[p-1]) }

func clauseEnd(src string, p int) bool {
	if isSpace(src[p]) {
		switch src[p-1] {
		case ',', ';', ':':
			return true
		}
		return false
	}
	if p < 3 || (src[p-3] != 0xE3 && src[p-3] != 0xEF) { // first byte of ，、；：
		return false
	}
	for _, stop := range []string{"，", "、", "；", "："} {
		if strings.HasSuffix(src[:p], stop) {
			return true
		}
	}
	return false
}

// sentenceEnd reports whether a sentence ends right before p: white space at p after '.',
// '!', '?' or '…' (and any closing quotes or brackets), not after a common abbreviation;
// or p right after a CJK full stop, exclamation or question mark.
func sentenceEnd(src string, p int) bool {
	if !isSpace(src[p]) {
		return cjkStop(src, p)
	}
	j := p
	for i := 0; i < 3; i++ {
		r, size := utf8.DecodeLastRuneInString(src[:j])
		if !strings.ContainsRune(`"')]”’»」』`, r) {
			break
		}
		j -= size
	}
	switch {
	case strings.HasSuffix(src[:j], "!"), strings.HasSuffix(src[:j], "?"), strings.HasSuffix(src[:j], "…"):
		return true
	case strings.HasSuffix(src[:j], "."):
		return !abbreviation(src[:j])
	}
	return false
}

func cjkStop(src string, p int) bool {
	if p < 3 || (src[p-3] != 0xE3 && src[p-3] != 0xEF) { // first byte of 。！？
		return false
	}
	if p < len(src) && strings.ContainsRune("」』）”", firstRune(src[p:])) {
		return false
	}
	return strings.HasSuffix(src[:p], "。") || strings.HasSuffix(src[:p], "！") || strings.HasSuffix(src[:p], "？")
}

var abbreviations = map[string]bool{
	"e.g.": true, "i.e.": true, "cf.": true, "vs.": true, "mr.": true, "mrs.": true, "ms.": true,
	"dr.": true, "st.": true, "approx.": true,
}

// abbreviation reports whether s ends with a common abbreviation (e.g. / i.e. / Mr. ...).
func abbreviation(s string) bool {
	i := len(s)
	for i > 0 && len(s)-i < 8 && !isSpace(s[i-1]) && s[i-1] != '(' {
		i--
	}
	return abbreviations[strings.ToLower(s[i:])]
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

const spaceBytes = " \t\n\r\f\v"

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func isBlank(line string) bool {
	for i := 0; i < len(line); i++ {
		if !isSpace(line[i]) {
			return false
		}
	}
	return true
}

func normalizeEOL(s string) string {
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

func joinPath(path []heading) string {
	var b strings.Builder
	for _, h := range path {
		if h.title == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(" > ")
		}
		b.WriteString(h.title)
	}
	return b.String()
}
