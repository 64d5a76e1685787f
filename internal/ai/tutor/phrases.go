package tutor

// phrases are the tutor's sentences in one language. English content (notes, meanings,
// examples, exercises) stays English: the learner is learning it. %s verbs take English words
// or topic names; q quotes them in the language's own style.
type phrases struct {
	lang string // its code, set by init
	q    func(string) string

	hello, welcome, bye, fine string
	// capabilities uses the three example questions, which the tutor itself understands (a test
	// holds it to that).
	capabilities                     string
	exGrammar, exMeaning, exPractice string

	cantOffline string
	fromNotes   string
	noNotes     string // %s: topic
	notesInEN   string // "" for English
	examples    string
	source      string
	offer       string // names the practice keyword

	meaning, example, note, inLang, inEnglish string
	notInGlossary                             string // %s: word
	usedInNotes                               string
	glossaryOnly                              string
	onlyWords                                 string
	noEnglish                                 string // %s: phrase

	practiceTitle, complete, reply string
	openTitle, openInstr           string
	correct, wrote, missing, score string // wrote: %s you wrote, %s answer; missing: %s answer; score: %d of %d
	anotherHint                    string
}

func quotes(open, close string) func(string) string {
	return func(s string) string { return open + s + close }
}

var languages = map[string]*phrases{
	"en": {
		q:     quotes("“", "”"),
		hello: "Hello! I'm Xentree's offline tutor.",
		capabilities: "I work without an AI model, from the study notes and a built-in glossary. I can explain a grammar point " +
			"(try: %s), tell you what a common word means (%s) and give you practice exercises (%s).",
		exGrammar: "How do I use the present perfect?", exMeaning: "What does 'actually' mean?", exPractice: "Give me an exercise on the past simple",
		welcome:       "You're welcome! Ask me about another grammar point or word whenever you like.",
		bye:           "Goodbye, and keep practising!",
		fine:          "I'm fine, thank you, and always ready to practise!",
		cantOffline:   "I can't answer that offline.",
		fromNotes:     "Here is what I found in the study notes:",
		noNotes:       "I couldn't find study notes on %s offline.",
		examples:      "Examples",
		source:        "Source",
		offer:         "Want to practise? Just say “practice” for an exercise on this topic.",
		meaning:       "Meaning",
		example:       "Example",
		note:          "Note",
		inLang:        "In English",
		inEnglish:     "In English",
		notInGlossary: "%s isn't in my offline glossary.",
		usedInNotes:   "The study notes use it like this:",
		glossaryOnly:  "Offline, I can only explain the common learner words in my glossary.",
		onlyWords:     "Offline, I can only translate common single words and phrases, not whole sentences.",
		noEnglish:     "I don't know a translation of %s offline.",
		practiceTitle: "Practice: %s",
		complete:      "Complete the sentences.",
		reply:         "Reply with your answers, one per line, and I'll check them.",
		openTitle:     "Speaking and writing practice",
		openInstr:     "Answer in English, in a few sentences:",
		correct:       "correct",
		wrote:         "you wrote %s; the answer is %s",
		missing:       "no answer; the answer is %s",
		score:         "You got %d of %d right.",
		anotherHint:   "Say “another one” for a new exercise.",
	},
	"de": {
		q:     quotes("„", "“"),
		hello: "Hallo! Ich bin der Offline-Tutor von Xentree.",
		capabilities: "Ich arbeite ohne KI-Modell, mit den Lernnotizen und einem eingebauten Glossar. Ich kann Grammatik erklären " +
			"(zum Beispiel: %s), sagen, was ein häufiges Wort bedeutet (%s), und dir Übungen geben (%s).",
		exGrammar: "Wie benutze ich das Present Perfect?", exMeaning: "Was bedeutet 'actually'?", exPractice: "Gib mir eine Übung zum Past Simple",
		welcome:       "Gern geschehen! Frag mich jederzeit nach einem anderen Grammatikthema oder Wort.",
		bye:           "Tschüss, und bleib dran!",
		fine:          "Mir geht es gut, danke, und ich bin immer bereit zum Üben!",
		cantOffline:   "Darauf kann ich offline nicht antworten.",
		fromNotes:     "Das habe ich in den Lernnotizen gefunden:",
		noNotes:       "Offline habe ich keine Lernnotizen zu %s gefunden.",
		notesInEN:     "(Die Notizen sind auf Englisch.)",
		examples:      "Beispiele",
		source:        "Quelle",
		offer:         "Möchtest du üben? Schreib einfach „Übung“ für eine Übung zu diesem Thema.",
		meaning:       "Bedeutung",
		example:       "Beispiel",
		note:          "Hinweis",
		inLang:        "Auf Deutsch",
		inEnglish:     "Auf Englisch",
		notInGlossary: "%s steht nicht in meinem Offline-Glossar.",
		usedInNotes:   "In den Lernnotizen kommt es so vor:",
		glossaryOnly:  "Offline kann ich nur die häufigen Lernwörter aus meinem Glossar erklären.",
		onlyWords:     "Offline kann ich nur häufige einzelne Wörter und Wendungen übersetzen, keine ganzen Sätze.",
		noEnglish:     "Offline kenne ich keine Übersetzung von %s.",
		practiceTitle: "Übung: %s",
		complete:      "Ergänze die Sätze.",
		reply:         "Antworte mit deinen Lösungen, eine pro Zeile, und ich prüfe sie.",
		openTitle:     "Sprech- und Schreibübung",
		openInstr:     "Antworte auf Englisch, in ein paar Sätzen:",
		correct:       "richtig",
		wrote:         "du hast %s geschrieben; richtig ist %s",
		missing:       "keine Antwort; richtig ist %s",
		score:         "Du hast %d von %d richtig.",
		anotherHint:   "Schreib „noch eine“ für eine neue Übung.",
	},
	"es": {
		q:     quotes("«", "»"),
		hello: "¡Hola! Soy el tutor sin conexión de Xentree.",
		capabilities: "Trabajo sin un modelo de IA, con los apuntes de estudio y un glosario integrado. Puedo explicarte gramática " +
			"(por ejemplo: %s), decirte qué significa una palabra común (%s) y darte ejercicios (%s).",
		exGrammar: "¿Cómo se usa el present perfect?", exMeaning: "¿Qué significa 'actually'?", exPractice: "Dame un ejercicio de past simple",
		welcome:       "¡De nada! Pregúntame cuando quieras por otro tema de gramática o por otra palabra.",
		bye:           "¡Adiós, y sigue practicando!",
		fine:          "¡Estoy bien, gracias, y siempre listo para practicar!",
		cantOffline:   "No puedo responder a eso sin conexión.",
		fromNotes:     "Esto es lo que encontré en los apuntes:",
		noNotes:       "Sin conexión no encontré apuntes sobre %s.",
		notesInEN:     "(Los apuntes están en inglés.)",
		examples:      "Ejemplos",
		source:        "Fuente",
		offer:         "¿Quieres practicar? Escribe «ejercicio» y te doy uno sobre este tema.",
		meaning:       "Significado",
		example:       "Ejemplo",
		note:          "Nota",
		inLang:        "En español",
		inEnglish:     "En inglés",
		notInGlossary: "%s no está en mi glosario sin conexión.",
		usedInNotes:   "Los apuntes la usan así:",
		glossaryOnly:  "Sin conexión solo puedo explicar las palabras comunes de mi glosario.",
		onlyWords:     "Sin conexión solo puedo traducir palabras y expresiones comunes, no frases completas.",
		noEnglish:     "Sin conexión no conozco una traducción de %s.",
		practiceTitle: "Práctica: %s",
		complete:      "Completa las frases.",
		reply:         "Responde con tus soluciones, una por línea, y las corrijo.",
		openTitle:     "Práctica oral y escrita",
		openInstr:     "Responde en inglés, con unas pocas frases:",
		correct:       "correcto",
		wrote:         "escribiste %s; la respuesta es %s",
		missing:       "sin respuesta; la respuesta es %s",
		score:         "Acertaste %d de %d.",
		anotherHint:   "Escribe «otro» para un nuevo ejercicio.",
	},
	"fr": {
		q:     quotes("« ", " »"),
		hello: "Bonjour ! Je suis le tuteur hors ligne de Xentree.",
		capabilities: "Je fonctionne sans modèle d'IA, avec les fiches d'étude et un glossaire intégré. Je peux t'expliquer un point de grammaire " +
			"(par exemple : %s), te dire ce que veut dire un mot courant (%s) et te donner des exercices (%s).",
		exGrammar: "Comment utiliser le present perfect ?", exMeaning: "Que veut dire « actually » ?", exPractice: "Donne-moi un exercice sur le past simple",
		welcome:       "Avec plaisir ! Pose-moi une question sur un autre point de grammaire ou un autre mot quand tu veux.",
		bye:           "Au revoir, et continue à t'entraîner !",
		fine:          "Je vais bien, merci, et je suis toujours prêt à pratiquer !",
		cantOffline:   "Je ne peux pas répondre à cela hors ligne.",
		fromNotes:     "Voici ce que j'ai trouvé dans les fiches d'étude :",
		noNotes:       "Hors ligne, je n'ai pas trouvé de fiches sur %s.",
		notesInEN:     "(Les fiches sont en anglais.)",
		examples:      "Exemples",
		source:        "Source",
		offer:         "Tu veux t'entraîner ? Écris « exercice » pour un exercice sur ce sujet.",
		meaning:       "Sens",
		example:       "Exemple",
		note:          "Remarque",
		inLang:        "En français",
		inEnglish:     "En anglais",
		notInGlossary: "%s n'est pas dans mon glossaire hors ligne.",
		usedInNotes:   "Les fiches l'emploient ainsi :",
		glossaryOnly:  "Hors ligne, je ne peux expliquer que les mots courants de mon glossaire.",
		onlyWords:     "Hors ligne, je ne peux traduire que des mots et expressions courants, pas des phrases entières.",
		noEnglish:     "Hors ligne, je ne connais pas de traduction de %s.",
		practiceTitle: "Exercice : %s",
		complete:      "Complète les phrases.",
		reply:         "Réponds avec tes solutions, une par ligne, et je les corrige.",
		openTitle:     "Expression orale et écrite",
		openInstr:     "Réponds en anglais, en quelques phrases :",
		correct:       "juste",
		wrote:         "tu as écrit %s ; la réponse est %s",
		missing:       "pas de réponse ; la réponse est %s",
		score:         "Tu as %d bonnes réponses sur %d.",
		anotherHint:   "Écris « un autre » pour un nouvel exercice.",
	},
	"pt": {
		q:     quotes("“", "”"),
		hello: "Olá! Eu sou o tutor offline da Xentree.",
		capabilities: "Eu funciono sem um modelo de IA, com as notas de estudo e um glossário integrado. Posso explicar gramática " +
			"(por exemplo: %s), dizer o que significa uma palavra comum (%s) e dar exercícios (%s).",
		exGrammar: "Como usar o present perfect?", exMeaning: "O que significa 'actually'?", exPractice: "Me dá um exercício de past simple",
		welcome:       "De nada! Pergunte-me quando quiser sobre outro ponto de gramática ou outra palavra.",
		bye:           "Tchau, e continue praticando!",
		fine:          "Estou bem, obrigado, e sempre pronto para praticar!",
		cantOffline:   "Não consigo responder a isso offline.",
		fromNotes:     "Veja o que encontrei nas notas de estudo:",
		noNotes:       "Offline, não encontrei notas sobre %s.",
		notesInEN:     "(As notas estão em inglês.)",
		examples:      "Exemplos",
		source:        "Fonte",
		offer:         "Quer praticar? Escreva “exercício” para um exercício sobre este tema.",
		meaning:       "Significado",
		example:       "Exemplo",
		note:          "Observação",
		inLang:        "Em português",
		inEnglish:     "Em inglês",
		notInGlossary: "%s não está no meu glossário offline.",
		usedInNotes:   "As notas de estudo usam assim:",
		glossaryOnly:  "Offline, só consigo explicar as palavras comuns do meu glossário.",
		onlyWords:     "Offline, só consigo traduzir palavras e expressões comuns, não frases inteiras.",
		noEnglish:     "Offline, não conheço uma tradução de %s.",
		practiceTitle: "Exercício: %s",
		complete:      "Complete as frases.",
		reply:         "Responda com as suas respostas, uma por linha, e eu corrijo.",
		openTitle:     "Prática oral e escrita",
		openInstr:     "Responda em inglês, em algumas frases:",
		correct:       "certo",
		wrote:         "você escreveu %s; a resposta é %s",
		missing:       "sem resposta; a resposta é %s",
		score:         "Você acertou %d de %d.",
		anotherHint:   "Escreva “outro” para um novo exercício.",
	},
	"it": {
		q:     quotes("«", "»"),
		hello: "Ciao! Sono il tutor offline di Xentree.",
		capabilities: "Funziono senza un modello di IA, con gli appunti di studio e un glossario integrato. Posso spiegarti la grammatica " +
			"(per esempio: %s), dirti cosa significa una parola comune (%s) e darti degli esercizi (%s).",
		exGrammar: "Come si usa il present perfect?", exMeaning: "Cosa significa 'actually'?", exPractice: "Dammi un esercizio sul past simple",
		welcome:       "Prego! Chiedimi quando vuoi di un altro argomento di grammatica o di un'altra parola.",
		bye:           "Arrivederci, e continua a esercitarti!",
		fine:          "Sto bene, grazie, e sono sempre pronto a esercitarmi!",
		cantOffline:   "Non posso rispondere a questo offline.",
		fromNotes:     "Ecco cosa ho trovato negli appunti di studio:",
		noNotes:       "Offline non ho trovato appunti su %s.",
		notesInEN:     "(Gli appunti sono in inglese.)",
		examples:      "Esempi",
		source:        "Fonte",
		offer:         "Vuoi esercitarti? Scrivi «esercizio» per un esercizio su questo argomento.",
		meaning:       "Significato",
		example:       "Esempio",
		note:          "Nota",
		inLang:        "In italiano",
		inEnglish:     "In inglese",
		notInGlossary: "%s non è nel mio glossario offline.",
		usedInNotes:   "Gli appunti la usano così:",
		glossaryOnly:  "Offline posso spiegare solo le parole comuni del mio glossario.",
		onlyWords:     "Offline posso tradurre solo parole ed espressioni comuni, non frasi intere.",
		noEnglish:     "Offline non conosco una traduzione di %s.",
		practiceTitle: "Esercizio: %s",
		complete:      "Completa le frasi.",
		reply:         "Rispondi con le tue soluzioni, una per riga, e le correggo.",
		openTitle:     "Esercizio di conversazione e scrittura",
		openInstr:     "Rispondi in inglese, con qualche frase:",
		correct:       "giusto",
		wrote:         "hai scritto %s; la risposta è %s",
		missing:       "nessuna risposta; la risposta è %s",
		score:         "Hai %d risposte giuste su %d.",
		anotherHint:   "Scrivi «un altro» per un nuovo esercizio.",
	},
}

// Languages lists the languages the tutor writes in (others get English).
func Languages() []string { return []string{"en", "de", "es", "fr", "pt", "it"} }

// label is s followed by a colon, spaced as the language wants.
func (ph *phrases) label(s string) string {
	if ph.lang == "fr" {
		return s + " :"
	}
	return s + ":"
}

func init() {
	for code, ph := range languages {
		ph.lang = code
	}
}
