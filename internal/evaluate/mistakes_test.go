package evaluate

import (
	"strings"
	"testing"
)

// mistakesIn runs the patterns over a text as writing (speaking skips the mechanics rules).
func mistakesIn(text string, writing bool) []Mistake {
	src := normalise(text)
	return findMistakes(src, splitSentences(tokenize(src)), writing)
}

func TestMistakePatterns(t *testing.T) {
	hits := []struct{ rule, text, found, fix string }{
		{"have-past-simple", "I have went to London twice.", "have went", "have gone"},
		{"have-past-simple", "She has never saw the sea.", "has never saw", "has never seen"},
		{"have-past-simple", "We've ate all the cake.", "We've ate", "We've eaten"},
		{"have-past-simple", "Have you ever drove a truck?", "Have you ever drove", "Have you ever driven"},
		{"passive-past-simple", "The letter was wrote by my uncle.", "was wrote", "was written"},
		{"overregularised-past", "Yesterday I buyed a new coat.", "buyed", "bought"},
		{"overregularised-past", "He teached us French.", "teached", "taught"},
		{"do-support-form", "I didn't went to school.", "didn't went", "didn't go"},
		{"do-support-form", "Did you saw the film?", "Did you saw", "Did you see"},
		{"do-support-form", "She doesn't likes coffee.", "doesn't likes", "doesn't like"},
		{"do-support-form", "We did not wanted to leave.", "did not wanted", "did not want"},
		{"third-person-s", "He go to work by bus.", "He go", "He goes"},
		{"third-person-s", "My sister study in Paris.", "My sister study", "My sister studies"},
		{"third-person-s", "It make me happy.", "It make", "It makes"},
		{"third-person-s", "She have two brothers.", "She have", "She has"},
		{"third-person-s", "He don't like rain.", "He don't", "He doesn't"},
		{"double-comparative", "This one is more better.", "more better", "better"},
		{"double-comparative", "It was the most biggest house.", "most biggest", "biggest"},
		{"double-comparative", "Trains are more cheaper than planes.", "more cheaper", "cheaper"},
		{"be-agree", "I am agree with you.", "am agree", "agree"},
		{"be-agree", "I'm agree with this idea.", "I'm agree", "I agree"},
		{"be-agree", "She is not agree.", "is not agree", "doesn't agree"},
		{"uncountable-plural", "Thank you for the informations.", "informations", "information"},
		{"uncountable-plural", "He gave me some advices.", "advices", "advice"},
		{"uncountable-plural", "We bought new furnitures.", "furnitures", "furniture"},
		{"irregular-plural", "There were many peoples at the party.", "peoples", "people"},
		{"irregular-plural", "The childrens are playing.", "childrens", "children"},
		{"article-a-an", "I ate a apple.", "a apple", "an apple"},
		{"article-a-an", "We waited for a hour.", "a hour", "an hour"},
		{"article-a-an", "She is an good teacher.", "an good", "a good"},
		{"article-a-an", "He studies at an university.", "an university", "a university"},
		{"since-duration", "I have lived here since 3 years.", "since 3 years", "for 3 years"},
		{"since-duration", "We have known each other since two weeks.", "since two weeks", "for two weeks"},
		{"since-duration", "I haven't seen him since long time.", "since long time", "for a long time"},
		{"explain-to", "Can you explain me the rules?", "explain me", "explain to me"},
		{"say-tell", "She said me the answer.", "said me", "told me"},
		{"verb-about", "We discussed about the problem.", "discussed about", "discussed"},
		{"verb-about", "He mentioned about his trip.", "mentioned about", "mentioned"},
		{"verb-about", "They returned back home.", "returned back", "returned"},
		{"verb-about", "They lack of experience.", "lack of", "lack"},
		{"double-negative", "I don't have nothing to do.", "don't have nothing", "don't have anything"},
		{"double-negative", "She can't find nobody to help.", "can't find nobody", "can't find anybody"},
		{"double-negative", "We didn't see no animals.", "didn't see no", "didn't see any"},
		{"have-age", "I have 25 years.", "have 25 years", "am 25 years old"},
		{"have-age", "My brother has 10 years old.", "has 10 years old", "is 10 years old"},
		{"modal-to", "I can to swim.", "can to swim", "can swim"},
		{"modal-to", "You must to stop.", "must to stop", "must stop"},
		{"modal-form", "She can swims very well.", "can swims", "can swim"},
		{"modal-form", "He will goes tomorrow.", "will goes", "will go"},
		{"modal-form", "I could not went there.", "could not went", "could not go"},
		{"be-base-verb", "I am go to the gym now.", "am go", "am going"},
		{"be-base-verb", "They are come tomorrow.", "are come", "are coming"},
		{"there-is-plural", "There is many cars in the street.", "There is many", "There are many"},
		{"there-is-plural", "There was 3 people in the room.", "There was 3", "There were 3"},
		{"much-plural", "There are too much people here.", "much people", "many people"},
		{"the-most-of", "The most of my friends live here.", "The most of", "most of"},
		{"look-forward-to", "I look forward to see you.", "look forward to see", "look forward to seeing"},
		{"gerund-after-verb", "I enjoy to play tennis.", "enjoy to play", "enjoy playing"},
		{"gerund-after-verb", "She suggested to go by train.", "suggested to go", "suggested going"},
		{"married-to", "She is married with Tom.", "married with", "married to"},
		{"preposition-choice", "It depends of the weather.", "depends of", "depends on"},
		{"preposition-choice", "It's depend on you.", "It's depend", "It depends"},
		{"preposition-choice", "I am interested for music.", "interested for", "interested in"},
		{"preposition-choice", "She is afraid from dogs.", "afraid from", "afraid of"},
		{"preposition-choice", "We arrived to the airport late.", "arrived to", "arrived at"},
		{"preposition-choice", "I listen music every day.", "listen music", "listen to music"},
		{"preposition-choice", "He entered in the room.", "entered in", "entered"},
		{"collocation", "We made a lot of photos.", "made a lot of photos", "took a lot of photos"},
		{"collocation", "I did a mistake.", "did a mistake", "made a mistake"},
		{"collocation", "I make my homework after school.", "make my homework", "do my homework"},
		{"go-home", "After class I go to home.", "go to home", "go home"},
		{"time-preposition", "I will see you in Monday.", "in Monday", "on Monday"},
		{"time-preposition", "We relax in the weekend.", "in the weekend", "at the weekend"},
		{"time-preposition", "She was born at 1990.", "at 1990", "in 1990"},
		{"time-preposition", "I work at the morning.", "at the morning", "in the morning"},
		{"fixed-phrase", "My bag is the same like yours.", "the same like", "the same as"},
		{"fixed-phrase", "According to me, it is wrong.", "According to me", "in my opinion"},
		{"fixed-phrase", "In the other hand, it is cheap.", "In the other hand", "on the other hand"},
		{"every-singular", "I go running every days.", "every days", "every day"},
		{"people-plural-verb", "People is very friendly here.", "People is", "People are"},
		{"lowercase-i", "Yesterday i went out.", "i", "I"},
		{"lowercase-i", "Then i'm going home.", "i'm", "I'm"},
		{"proper-noun-capital", "I study english on monday.", "english", "English"},
		{"repeated-word", "I went to the the shop.", "the the", "the"},
		{"punctuation-spacing", "I like tea ,but not coffee.", "tea ,", "tea,"},
		{"punctuation-spacing", "I like tea,coffee and milk.", "tea,coffee", "tea, coffee"},
		{"sentence-capital", "I got up. then I had breakfast.", "then I had", "Then I had"},
		{"final-punctuation", "I got up and had breakfast", "had breakfast", "had breakfast."},
	}
	for _, h := range hits {
		ms := mistakesIn(h.text, true)
		var got *Mistake
		for i := range ms {
			if ms[i].Rule == h.rule {
				got = &ms[i]
				break
			}
		}
		if got == nil {
			t.Errorf("%s: %q: not detected (found %+v)", h.rule, h.text, ms)
			continue
		}
		if !strings.EqualFold(got.Found, h.found) || !strings.EqualFold(got.Fix, h.fix) {
			t.Errorf("%s: %q: found %q → %q, want %q → %q", h.rule, h.text, got.Found, got.Fix, h.found, h.fix)
		}
		if !strings.Contains(got.Message, "“"+got.Found+"” → “"+got.Fix+"”:") {
			t.Errorf("%s: message %q does not cite the correction", h.rule, got.Message)
		}
	}
	seen := map[string]bool{}
	for _, h := range hits {
		seen[h.rule] = true
	}
	for _, r := range rules {
		if !seen[r.id] {
			t.Errorf("rule %s has no positive case", r.id)
		}
	}
}

func TestMistakePatternsQuietOnCorrectEnglish(t *testing.T) {
	correct := []string{
		"I have gone to London twice. She has never seen the sea. We've eaten all the cake.",
		"Have you ever driven a truck? I had made a cake. They have got a dog. I've read it.",
		"The letter was written by my uncle. He was born in May. The house was built in 1990.",
		"Yesterday I bought a new coat. He taught us French. The ship sailed at dawn.",
		"I didn't go to school. Did you see the film? She doesn't like coffee. He didn't need help.",
		"Does she like it? Do they exercise? I do exercises every day. She doesn't feed the cat.",
		"He goes to work by bus. My sister studies in Paris. It makes me happy. She has two brothers.",
		"Does he go there? Let it go. I made it work. I suggest that he go home. Can she swim?",
		"He put the book on the table. She read the letter yesterday. It cost ten pounds. He can come.",
		"This one is better. It is more expensive. We need more water. I'll tell you more later.",
		"I agree with you. I don't agree. She agrees. They agreed to come. He's agreed to help.",
		"Thank you for the information. He gave me some advice. The indigenous peoples of Canada.",
		"The children are playing. I ate an apple. We waited for an hour. She is a good teacher.",
		"He studies at a university. It was a European city. A one-way ticket, please. An honest man.",
		"A useful tip. An umbrella. A unicorn. An MP and a UN report. Vitamin A is important.",
		"I have lived here for 3 years. I have lived here since 2019. Since I was young, I have swum.",
		"We met two years ago and have been friends since a year ago.",
		"Can you explain the rules to me? Can you explain them to me? She told me the answer.",
		"She said to me that it was late. We discussed the problem. We talked about the problem.",
		"He mentioned his trip. They returned home. There is a lack of experience. They lack experience.",
		"I don't have anything to do. Nobody came, but I didn't mind. I didn't go, and nothing happened.",
		"She can't find anybody to help. I never had any money. I can't wait any longer.",
		"I am 25 years old. I have 20 years of experience. I have 2 years left.",
		"I can swim. You must stop. I want to swim. I ought to go. They have to leave. The will to live.",
		"She can swim very well. He will go tomorrow. I could not go there. I'd liked him for years.",
		"I am going to the gym now. They are coming tomorrow. I am from Spain. What I want is rest.",
		"There are many cars in the street. There is a lot of traffic. There was one person here.",
		"There are too many people here. There is not much time. How much money do you have?",
		"Most of my friends live here. Make the most of it. We made the most of our time.",
		"I look forward to seeing you. I look forward to the trip. I look forward to it.",
		"I enjoy playing tennis. She suggested going by train. I want to play. It is considered to be safe.",
		"She is married to Tom. He is married with two children.",
		"It depends on the weather. It depends on you. I am interested in music. She is afraid of dogs.",
		"We arrived at the airport late. We arrived in London. I listen to music every day. He listened carefully.",
		"He entered the room. We took a lot of photos. I made a mistake. I do my homework after school.",
		"After class I go home. I went to my home town. I will see you on Monday. We relax at the weekend.",
		"She was born in 1990. I work in the morning. I sleep at night. Let's go. My bag is the same as yours.",
		"In my opinion, it is wrong. According to the report, it is wrong. On the other hand, it is cheap.",
		"I go running every day. Each student has a book. People are very friendly here.",
		"Helping people is my passion. The number of people is growing. Meeting new people is fun.",
		"Yesterday I went out. Then I'm going home. I study English on Monday. We met in May.",
		"I went to the shop. I think that that is true. I like tea, but not coffee. I like tea, coffee and milk.",
		"I got up. Then I had breakfast. E.g. this one. Mr. Smith arrived at 10.30 a.m.",
	}
	for _, text := range correct {
		for _, m := range mistakesIn(text, true) {
			t.Errorf("false positive %s in %q: %s", m.Rule, text, m.Message)
		}
	}
}

func TestSpeakingSkipsMechanics(t *testing.T) {
	ms := mistakesIn("yesterday i went to the the shop on monday", false)
	for _, m := range ms {
		if m.Kind == kindMechanics {
			t.Errorf("speaking transcript judged on %s: %s", m.Rule, m.Message)
		}
	}
	if ms := mistakesIn("yesterday i went to the the shop on monday", true); len(ms) < 4 {
		t.Errorf("writing: want capital, i, repeated word, final punctuation and monday; got %+v", ms)
	}
}
