package content

import _ "embed"

// Glossary is the offline tutor's data (glossary.yaml): learner words with meanings, notes and
// translations, grammar topics with practice items, and open practice prompts.
//
//go:embed glossary.yaml
var Glossary []byte
