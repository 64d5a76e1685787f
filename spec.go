// Package xentree holds the API contract: the original openapi.yaml, embedded byte for byte
// so the server validates against and serves exactly the file in the repository.
package xentree

import _ "embed"

// OpenAPISpec is openapi.yaml as written (the generated gen.GetSwagger copy renames nothing
// here, but it is re-encoded; clients and the explorer get the original).
//
//go:embed openapi.yaml
var OpenAPISpec []byte
