package content

import (
	"embed"
	"io/fs"
)

//go:embed xel
var xelFiles embed.FS

// XEL is the Xentree English catalogue: one "<module-slug>.yaml" file per module at its root
// (format in docs/xel.md). The whole folder is embedded, so a misnamed file reaches the loader
// and is reported instead of silently left out.
var XEL fs.FS = func() fs.FS {
	sub, err := fs.Sub(xelFiles, "xel")
	if err != nil {
		panic(err) // "xel" is a valid literal path embedded above
	}
	return sub
}()
