package content

import "embed"

// Notes is the study library: notes/<slug>.md, Markdown under a YAML front matter (title,
// level, tags, summary). internal/library loads and validates it; docs/library.md describes
// the format.
//
//go:embed notes/*.md
var Notes embed.FS
