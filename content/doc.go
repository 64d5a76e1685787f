// Package content embeds what ships with the server besides code: the Xentree English course
// catalogue (xel/, one YAML file per module) and the study library (notes/, Markdown). Loaders
// elsewhere validate it and upsert it idempotently at start.
package content
