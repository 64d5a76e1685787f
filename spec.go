// Package xentree holds the API contract: the original openapi.yaml, embedded byte for byte
// so the server validates against and serves exactly the file in the repository.
package xentree

import _ "embed"

// OpenAPISpec is openapi.yaml exactly as written. The validator, /openapi.yaml and the
// explorer use it rather than gen's embedded copy, which is a re-encoded document.
//
//go:embed openapi.yaml
var OpenAPISpec []byte
