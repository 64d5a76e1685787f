package server

import "github.com/xentree/xentree-api/internal/ai"

// WrapProviders makes every chat of a server built from c call its provider through wrap
// (benchmarks time the provider calls with it, to tell the server's own time apart).
func WrapProviders(c *Config, wrap func(ai.Provider) ai.Provider) { c.wrapProvider = wrap }
