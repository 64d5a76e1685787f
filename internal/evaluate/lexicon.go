package evaluate

import "strings"

// set builds a lookup set from space-separated words.
func set(words ...string) map[string]bool {
	m := map[string]bool{}
	for _, s := range words {
		for _, w := range strings.Fields(s) {
			m[w] = true
		}
	}
	return m
}

// functionWords are excluded from content-word measures (diversity of content, sophistication,
// topical overlap): determiners, pronouns, prepositions, conjunctions, auxiliaries, modals and
// the commonest adverbs.
var functionWords = set(`a an the this that these those my your his her its our their me him us
them i you he she it we they myself yourself himself herself itself ourselves themselves mine
yours hers ours theirs who whom whose which what where when why how whatever whoever and or but
so because if then than as of in on at to from by with without for about into onto out up down
over under after before between through during around near off across along behind above below
inside outside until since till against among toward towards be am is are was were been being
have has had having do does did done doing will would can could shall should may might must
not no yes very too also just only even still already yet again now here there all some any many
much more most few little less least lot lots each every both either neither other another such
same own enough several none nothing something anything everything nobody somebody anybody
everybody someone anyone everyone oh ok okay well really quite maybe perhaps then thus hence
while whereas although though unless whether upon within without besides per via others
i'm i've i'll i'd you're you've you'll you'd he's he'll he'd she's she'll she'd it's it'll we're
we've we'll we'd they're they've they'll they'd that's there's here's what's who's let's
don't doesn't didn't isn't aren't wasn't weren't haven't hasn't hadn't won't wouldn't can't cannot
couldn't shouldn't mustn't mightn't needn't ain't o'clock etc um uh er erm ah hmm mm uhm eh`)

// genericWords are content words too general to tell what a prompt is about.
var genericWords = set(`make do get have go take put come become seem thing things way kind sort
lot bit part people person some others other think believe feel know want need like say tell
good bad great nice really new old one two also last next first life lives`)

// instructionWords belong to task instructions, not to the topic of a prompt.
var instructionWords = set(`write describe explain discuss talk tell say give answer question
include mention word words paragraph paragraphs essay email e-mail letter reason reasons example
examples opinion opinions view views agree disagree extent please use least minimum maximum
response respond task text speak minute minutes short brief detail details support why how
what think believe feel some others people compare contrast argue argument advantage
advantages disadvantage disadvantages point points sentence sentences answer answers own
idea ideas discussion decide choose`)

// fillers are hesitation sounds in spoken transcripts.
var fillers = set(`um umm uh uhh uhm er erm ah ahh hmm hm mm mmm eh`)

// modals are the central modal verbs (with their negative contractions).
var modals = set(`can could will would shall should may might must cannot can't couldn't won't
wouldn't shouldn't mustn't mightn't 'll 'd`)

// subjectPronouns can open a clause.
var subjectPronouns = set(`i you he she it we they`)

// thirdSingular subjects take a verb with -s in the present simple.
var thirdSingular = set(`he she it everybody everyone somebody someone nobody`)

// singularKin nouns after "my"/"his"/"her" take a verb with -s ("my brother plays").
var singularKin = set(`mother father mum mom dad brother sister friend teacher son daughter
wife husband boss grandmother grandfather uncle aunt cousin neighbour neighbor`)

// baseVerbs are common verbs in their base form (for agreement and verb-form patterns).
var baseVerbs = set(`be have do say go get make know think take see come want look use find give
tell work call try ask need feel become leave put mean keep let begin seem help talk turn start
show hear play run move like live believe hold bring happen write sit stand lose pay meet include
continue set learn change lead understand watch follow stop create speak read spend grow open walk
win offer remember love consider appear buy wait serve die send expect build stay fall cut reach
kill remain suggest raise pass sell require report decide pull return explain hope develop carry
break receive agree support hit produce eat cover catch draw choose cause listen close cook clean
wash drive fly swim sing dance sleep wake laugh cry smile study visit enjoy hate prefer finish
arrive shop rent count miss invite answer repeat spell practise practice check fill paint jump
climb kick throw ride wear forget hurry worry guess order borrow lend teach push drop cross join
plan share wish thank kiss travel improve prepare relax describe discuss imagine believe belong
depend matter contain sound smell taste drink fix save spend earn protect reduce increase solve
complain apologise apologize recommend avoid admit deny mind practise organise organize celebrate
choose hang fight feed shake steal forgive freeze hide ring rise shine shoot sink swear tear bite
blow dig lie lay fit bet quit hurt shut spread beat deal seek sew stick strike swing`)

// irregularVerbs lists base, past simple and past participle of irregular verbs.
var irregularVerbs = [][3]string{
	{"be", "was", "been"}, {"become", "became", "become"}, {"begin", "began", "begun"},
	{"bite", "bit", "bitten"}, {"blow", "blew", "blown"}, {"break", "broke", "broken"},
	{"bring", "brought", "brought"}, {"build", "built", "built"}, {"buy", "bought", "bought"},
	{"catch", "caught", "caught"}, {"choose", "chose", "chosen"}, {"come", "came", "come"},
	{"cost", "cost", "cost"}, {"cut", "cut", "cut"}, {"deal", "dealt", "dealt"},
	{"dig", "dug", "dug"}, {"do", "did", "done"}, {"draw", "drew", "drawn"},
	{"drink", "drank", "drunk"}, {"drive", "drove", "driven"}, {"eat", "ate", "eaten"},
	{"fall", "fell", "fallen"}, {"feed", "fed", "fed"}, {"feel", "felt", "felt"},
	{"fight", "fought", "fought"}, {"find", "found", "found"}, {"fly", "flew", "flown"},
	{"forget", "forgot", "forgotten"}, {"forgive", "forgave", "forgiven"},
	{"freeze", "froze", "frozen"}, {"get", "got", "got"}, {"give", "gave", "given"},
	{"go", "went", "gone"}, {"grow", "grew", "grown"}, {"hang", "hung", "hung"},
	{"have", "had", "had"}, {"hear", "heard", "heard"}, {"hide", "hid", "hidden"},
	{"hit", "hit", "hit"}, {"hold", "held", "held"}, {"hurt", "hurt", "hurt"},
	{"keep", "kept", "kept"}, {"know", "knew", "known"}, {"lay", "laid", "laid"},
	{"lead", "led", "led"}, {"leave", "left", "left"}, {"lend", "lent", "lent"},
	{"let", "let", "let"}, {"lose", "lost", "lost"}, {"make", "made", "made"},
	{"mean", "meant", "meant"}, {"meet", "met", "met"}, {"pay", "paid", "paid"},
	{"put", "put", "put"}, {"quit", "quit", "quit"}, {"read", "read", "read"},
	{"ride", "rode", "ridden"}, {"ring", "rang", "rung"}, {"rise", "rose", "risen"},
	{"run", "ran", "run"}, {"say", "said", "said"}, {"see", "saw", "seen"},
	{"seek", "sought", "sought"}, {"sell", "sold", "sold"}, {"send", "sent", "sent"},
	{"set", "set", "set"}, {"shake", "shook", "shaken"}, {"shine", "shone", "shone"},
	{"shoot", "shot", "shot"}, {"show", "showed", "shown"}, {"shut", "shut", "shut"},
	{"sing", "sang", "sung"}, {"sink", "sank", "sunk"}, {"sit", "sat", "sat"},
	{"sleep", "slept", "slept"}, {"speak", "spoke", "spoken"}, {"spend", "spent", "spent"},
	{"spread", "spread", "spread"}, {"stand", "stood", "stood"}, {"steal", "stole", "stolen"},
	{"stick", "stuck", "stuck"}, {"strike", "struck", "struck"}, {"swear", "swore", "sworn"},
	{"swim", "swam", "swum"}, {"swing", "swung", "swung"}, {"take", "took", "taken"},
	{"teach", "taught", "taught"}, {"tear", "tore", "torn"}, {"tell", "told", "told"},
	{"think", "thought", "thought"}, {"throw", "threw", "thrown"},
	{"understand", "understood", "understood"}, {"wake", "woke", "woken"},
	{"wear", "wore", "worn"}, {"win", "won", "won"}, {"write", "wrote", "written"},
	{"arise", "arose", "arisen"}, {"bear", "bore", "born"}, {"bend", "bent", "bent"},
	{"bleed", "bled", "bled"}, {"breed", "bred", "bred"}, {"flee", "fled", "fled"},
	{"forbid", "forbade", "forbidden"}, {"mistake", "mistook", "mistaken"},
	{"overcome", "overcame", "overcome"}, {"shrink", "shrank", "shrunk"},
	{"slide", "slid", "slid"}, {"undertake", "undertook", "undertaken"},
	{"withdraw", "withdrew", "withdrawn"}, {"lie", "lay", "lain"}, {"weep", "wept", "wept"},
	{"light", "lit", "lit"}, {"burn", "burnt", "burnt"}, {"learn", "learnt", "learnt"},
	{"dream", "dreamt", "dreamt"}, {"spell", "spelt", "spelt"}, {"smell", "smelt", "smelt"},
	{"bet", "bet", "bet"}, {"fit", "fit", "fit"},
}

// overregularised maps invented regular past forms of irregular verbs to the real ones.
var overregularised = map[string]string{
	"buyed": "bought", "goed": "went", "eated": "ate", "teached": "taught", "thinked": "thought",
	"catched": "caught", "bringed": "brought", "brang": "brought", "runned": "ran",
	"writed": "wrote", "speaked": "spoke", "drinked": "drank", "sleeped": "slept",
	"feeled": "felt", "maked": "made", "taked": "took", "comed": "came", "leaved": "left",
	"choosed": "chose", "falled": "fell", "finded": "found", "gived": "gave", "knowed": "knew",
	"meeted": "met", "selled": "sold", "telled": "told", "weared": "wore", "winned": "won",
	"losed": "lost", "spended": "spent", "sended": "sent", "standed": "stood",
	"understanded": "understood", "becomed": "became", "begined": "began", "breaked": "broke",
	"builded": "built", "drived": "drove", "forgeted": "forgot", "forgetted": "forgot",
	"growed": "grew", "hided": "hid", "holded": "held", "keeped": "kept", "cutted": "cut",
	"hitted": "hit", "feeded": "fed", "fighted": "fought", "flyed": "flew", "hurted": "hurt",
	"shutted": "shut", "swimmed": "swam", "throwed": "threw", "sitted": "sat", "sayed": "said",
	"payed": "paid", "getted": "got", "heared": "heard", "readed": "read", "setted": "set",
	"meaned": "meant", "drawed": "drew", "stealed": "stole", "shaked": "shook",
	"lended": "lent", "sinked": "sank", "putted": "put", "ated": "ate", "wented": "went",
}

// linkLevels rates linking words and discourse markers from 1 (A1) to 5 (C1 and above).
var linkLevels = map[string]int{
	"and": 1, "but": 1, "or": 1, "because": 1, "so": 1, "then": 1, "also": 1,
	"first": 2, "after that": 2, "before that": 2, "later": 2, "next": 2, "when": 2, "too": 2,
	"at the end": 2, "first of all": 2, "after": 2, "finally": 2, "at first": 2,
	"however": 3, "although": 3, "for example": 3, "for instance": 3, "in my opinion": 3,
	"on the other hand": 3, "firstly": 3, "secondly": 3, "thirdly": 3, "lastly": 3,
	"in addition": 3, "as a result": 3, "while": 3, "unless": 3, "such as": 3,
	"even though": 3, "in the end": 3, "that's why": 3, "because of": 3, "instead": 3,
	"besides": 3, "in fact": 3, "especially": 3, "so that": 3, "as soon as": 3,
	"i think that": 3, "to be honest": 3, "actually": 2, "anyway": 3, "the reason is": 3, "if": 2, "until": 3, "since": 3, "though": 3,
	"moreover": 4, "furthermore": 4, "nevertheless": 4, "whereas": 4, "therefore": 4,
	"consequently": 4, "in contrast": 4, "despite": 4, "in spite of": 4, "as well as": 4,
	"on the contrary": 4, "in conclusion": 4, "to sum up": 4, "overall": 4, "not only": 4,
	"apart from": 4, "as long as": 4, "provided that": 4, "owing to": 4, "due to": 4,
	"even if": 4, "otherwise": 4, "meanwhile": 4, "similarly": 4, "in other words": 4,
	"to begin with": 4, "what is more": 4, "as a consequence": 4, "for this reason": 4,
	"on the whole": 4, "in general": 4, "as a matter of fact": 4, "above all": 4,
	"nonetheless": 5, "conversely": 5, "notwithstanding": 5, "hence": 5, "thus": 5,
	"admittedly": 5, "by contrast": 5, "to a large extent": 5, "in light of": 5,
	"that said": 5, "albeit": 5, "accordingly": 5, "whereby": 5, "insofar as": 5,
	"given that": 5, "by the same token": 5, "in turn": 5, "not to mention": 5,
	"with regard to": 5, "in terms of": 5, "as such": 5, "having said that": 5,
	"it follows that": 5, "to that end": 5, "on balance": 5, "ultimately": 5, "arguably": 5,
	"in essence": 5, "by and large": 5, "all things considered": 5, "first and foremost": 5,
	"as opposed to": 5, "subsequently": 5, "likewise": 5, "thereby": 5, "to some extent": 5,
	"in particular": 4, "in short": 4, "all in all": 4, "as far as i am concerned": 5,
	"it is worth noting": 5, "rather than": 4, "regardless of": 5,
}

// linkSuggestions are markers to recommend for the next level up, by the writer's level (1-4).
var linkSuggestions = map[int][]string{
	1: {"because", "but", "then", "after that"},
	2: {"however", "for example", "although", "as a result"},
	3: {"moreover", "whereas", "therefore", "on the other hand"},
	4: {"nevertheless", "by contrast", "admittedly", "to a large extent"},
}

// subordinators open subordinate clauses wherever they stand.
var subordinators = set(`because although though whereas unless whenever wherever whether if
while until`)

// relativePronouns open relative clauses when they are not the first word of a question.
var relativePronouns = set(`who which whose whom where`)

// reportingVerbs take a "that" clause ("I think that ...").
var reportingVerbs = set(`think thought believe believed say said know knew hope hoped feel felt
mean meant agree agreed suggest suggested show showed realise realised realize realized argue
argued claim claimed sure clear true obvious likely possible important clear evident seems
seemed means shows suggests believes thinks says argues claims`)

// overusedWords are basic words learners lean on, with stronger alternatives.
var overusedWords = map[string]string{
	"good":        "enjoyable, excellent, useful, rewarding",
	"nice":        "pleasant, charming, delightful, friendly",
	"bad":         "unpleasant, harmful, disappointing, serious",
	"big":         "huge, enormous, major, considerable",
	"very":        "extremely, really, remarkably (or a stronger adjective)",
	"thing":       "aspect, issue, feature, point",
	"get":         "receive, obtain, become, reach",
	"like":        "enjoy, appreciate, be fond of",
	"beautiful":   "stunning, picturesque, attractive",
	"happy":       "delighted, pleased, glad, content",
	"important":   "essential, crucial, significant, vital",
	"interesting": "fascinating, engaging, thought-provoking",
	"lot":         "a great deal of, plenty of, numerous",
	"people":      "individuals, citizens, residents, users",
	"go":          "travel, head, visit, attend",
}

// topicGroups gather words that count as the same topic when matching a text to its prompt.
var topicGroups = [][]string{
	{"weekend", "saturday", "sunday"},
	{"holiday", "vacation", "trip", "travel", "journey", "tour", "abroad", "tourist", "sightseeing", "destination", "hotel", "plane", "flight", "airport", "passport", "suitcase", "luggage", "beach", "resort", "hostel", "route", "visit", "postcard", "walking", "hiking"},
	{"place", "spot", "location", "park", "library", "museum", "market", "square", "gallery", "stadium"},
	{"town", "city", "village", "neighbourhood", "neighborhood", "district", "downtown", "urban", "local", "street"},
	{"home", "house", "flat", "apartment", "room"},
	{"favourite", "favorite", "best", "prefer", "love", "enjoy", "appeal", "fond", "miss"},
	{"technology", "technological", "internet", "online", "digital", "computer", "smartphone", "phone", "device", "app", "software", "gadget", "screen", "robot", "machine", "electronic", "tablet", "laptop"},
	{"life", "daily", "everyday", "living", "lifestyle"},
	{"problem", "issue", "difficulty", "difficult", "trouble", "disadvantage", "drawback", "downside", "risk", "danger", "harm", "harmful", "addiction", "addicted", "anxiety", "negative", "damage", "threat", "concern", "worry", "cost", "bad"},
	{"effect", "impact", "cause", "consequence", "influence", "result", "affect", "contribute", "lead"},
	{"benefit", "advantage", "improve", "improvement", "positive", "useful", "convenient", "easier", "helpful"},
	{"work", "job", "career", "occupation", "profession", "employment", "office", "colleague", "boss", "company", "employer", "employee", "manager", "salary"},
	{"study", "student", "school", "university", "college", "course", "class", "lesson", "learn", "education", "teacher", "exam", "subject", "degree", "lecture", "homework"},
	{"family", "parent", "mother", "father", "mum", "mom", "dad", "brother", "sister", "child", "son", "daughter", "grandparent", "grandmother", "grandfather", "relative", "husband", "wife"},
	{"friend", "friendship", "classmate", "mate"},
	{"food", "eat", "meal", "cook", "dish", "restaurant", "breakfast", "lunch", "dinner", "recipe", "cuisine", "delicious"},
	{"sport", "exercise", "football", "tennis", "gym", "fitness", "swim", "match", "team", "basketball", "cycling", "jogging", "training"},
	{"health", "healthy", "ill", "illness", "disease", "doctor", "hospital", "medicine", "diet", "stress", "sleep"},
	{"environment", "environmental", "nature", "pollution", "climate", "planet", "green", "recycle", "waste", "emission", "carbon", "sustainable", "plastic"},
	{"money", "cost", "price", "expensive", "cheap", "pay", "afford", "budget", "spend", "income", "rent"},
	{"transport", "car", "bus", "train", "bike", "bicycle", "traffic", "drive", "commute", "metro", "underground", "taxi"},
	{"weather", "rain", "sunny", "snow", "wind", "temperature", "cloudy", "sunshine"},
	{"shop", "shopping", "buy", "store", "market", "supermarket", "mall"},
	{"music", "song", "sing", "band", "concert", "musician", "guitar", "piano"},
	{"film", "movie", "cinema", "series", "actor", "documentary"},
	{"book", "read", "novel", "story", "library", "author", "literature"},
	{"hobby", "free", "leisure", "spare", "relax", "pastime", "fun"},
	{"plan", "planning", "intend", "organise", "organize", "arrange", "prepare", "booked", "booking", "future", "dream", "goal", "ambition", "hope", "decide", "expect", "postpone"},
	{"countryside", "rural", "farm", "country"},
	{"communication", "communicate", "talk", "conversation", "contact", "chat", "message"},
	{"language", "english", "vocabulary", "grammar", "fluent", "pronunciation"},
	{"animal", "pet", "dog", "cat", "bird", "horse"},
	{"party", "celebrate", "celebration", "birthday", "festival", "wedding", "guest"},
	{"childhood", "memory", "remember", "young", "past", "kid"},
	{"society", "community", "social", "public", "citizen"},
	{"park", "garden", "tree", "flower", "grass", "lake", "river", "beach", "sea", "mountain", "forest"},
	{"café", "cafe", "coffee", "tea", "bar", "restaurant"},
	{"media", "news", "newspaper", "television", "tv", "social media", "post", "video", "share"},
}
