package server_test

// Schema-driven generators for property tests: genValid draws request bodies that satisfy a
// kin-openapi schema, genInvalid draws bodies that break it in one way that kin-openapi's request
// validation (openapi3filter) detects. TestSpecGenSelfCheck checks both against openapi.yaml.

import (
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"math"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"pgregory.net/rapid"
)

const (
	// specGenMaxStringLen caps generated string lengths (in code points, as JSON Schema and
	// kin-openapi count them) unless minLength needs more.
	specGenMaxStringLen = 64
	// specGenMaxExtraItems caps how many items beyond minItems a generated array gets.
	specGenMaxExtraItems = 4
	// specGenMaxDepth bounds nesting, for self-referencing schemas: deeper down, optional
	// properties are left out and arrays get only minItems items.
	specGenMaxDepth = 8
	// specGenIntSpan is the width of the range integers and numbers are drawn from when the
	// schema leaves a side unbounded.
	specGenIntSpan = 1_000_000
	// specGenMaxOversizedString and specGenMaxOversizedArray bound the "longer than maxLength" and
	// "more than maxItems" mutations: above them the body would be big enough to trip body-size
	// limits rather than schema validation, so the mutation is not offered.
	specGenMaxOversizedString = 100_000
	specGenMaxOversizedArray  = 1_000
	// specGenPatternTries is how many rapid.StringMatching draws a pattern-constrained string gets
	// before the test case is discarded.
	specGenPatternTries = 20
)

// invalidBody is a request body that violates its schema, and a short note saying how.
type invalidBody struct {
	Value any
	Why   string
}

// specMutation is one way of producing an invalid value for a schema.
type specMutation struct {
	why string
	gen *rapid.Generator[any]
}

// genValid returns a rapid generator of values (map[string]any / []any / string / float64 /
// int64 / bool / nil) that are valid against s, a schema whose refs are resolved (the Value of a
// SchemaRef). It honours type, enum, nullable, required/optional properties,
// additionalProperties: false, minProperties, string lengths, patterns and formats (email, uuid,
// date-time, date, uri, byte, password), numeric bounds and multipleOf, array bounds and
// uniqueItems, a single-entry allOf, and oneOf/anyOf (by picking a branch and filtering).
// Integers are int64 so that their JSON has no exponent; date-times and dates lie within the next
// year; strings are valid UTF-8 without control characters or leading/trailing spaces.
func genValid(s *openapi3.Schema) *rapid.Generator[any] {
	return specGenValue(s, 0)
}

// genInvalid returns a generator of values that violate s in one way that kin-openapi's request
// validation rejects, each with a description of the violation. The mutations, offered wherever s
// or a schema nested in it makes them applicable, are: a required property dropped; an unknown
// property where additionalProperties is false; a wrong JSON type for a property or array item
// (never null where null is allowed); a string longer than maxLength or shorter than minLength; a
// number above maximum or below minimum; a value outside an enum; an array with more than maxItems
// or fewer than minItems items; a string failing format email, uuid, date-time or date (only for
// formats with a validator registered in openapi3.SchemaStringFormats when genInvalid is called,
// so register email/uuid first); an empty object where minProperties >= 1. Apart from the
// mutation, the value is drawn from genValid. It panics if no mutation applies to s.
func genInvalid(s *openapi3.Schema) *rapid.Generator[invalidBody] {
	muts := specMutations(s, "", 0)
	if len(muts) == 0 {
		panic("specgen: no invalid form exists for this schema")
	}
	return rapid.Custom(func(t *rapid.T) invalidBody {
		m := muts[rapid.IntRange(0, len(muts)-1).Draw(t, "mutation")]
		return invalidBody{Value: m.gen.Draw(t, m.why), Why: m.why}
	})
}

// specUnwrap returns the schema that describes the values of s, and whether null is allowed.
// A single-entry allOf (the OpenAPI 3.0 idiom for adding nullable or a description to a $ref)
// is replaced by its entry; richer allOf compositions are not supported.
func specUnwrap(s *openapi3.Schema) (*openapi3.Schema, bool) {
	nullable := s.Nullable || s.Type.IncludesNull()
	for len(s.AllOf) > 0 {
		if len(s.AllOf) > 1 || len(s.Properties) > 0 || len(s.Required) > 0 || len(s.Enum) > 0 {
			panic("specgen: only a single-entry allOf without sibling properties or enum is supported")
		}
		s = s.AllOf[0].Value
		nullable = nullable || s.Nullable || s.Type.IncludesNull()
	}
	return s, nullable
}

// specType returns the JSON type of s's non-null values: its declared type, or one inferred from
// object or array keywords, or "" when s does not pin one down.
func specType(s *openapi3.Schema) string {
	for _, typ := range s.Type.Slice() {
		if typ != openapi3.TypeNull {
			return typ
		}
	}
	switch {
	case len(s.Properties) > 0 || len(s.Required) > 0 || s.MinProps > 0 ||
		s.AdditionalProperties.Has != nil || s.AdditionalProperties.Schema != nil:
		return openapi3.TypeObject
	case s.Items != nil:
		return openapi3.TypeArray
	}
	return ""
}

// specGenValue is genValid for a schema nested depth levels deep.
func specGenValue(s *openapi3.Schema, depth int) *rapid.Generator[any] {
	s, _ = specUnwrap(s)
	switch {
	case len(s.Enum) > 0:
		return specGenEnum(s)
	case len(s.OneOf) > 0 || len(s.AnyOf) > 0:
		return specGenAlternative(s, depth)
	}
	switch specType(s) {
	case openapi3.TypeObject:
		if len(specPropertyNames(s)) == 0 && len(s.Required) == 0 && s.MinProps == 0 {
			return specFresh(func() any { return map[string]any{} })
		}
		return rapid.Custom(func(t *rapid.T) any { return specDrawObject(t, s, depth, "") })
	case openapi3.TypeArray:
		return rapid.Custom(func(t *rapid.T) any { return specDrawArray(t, s, depth, 0) })
	case openapi3.TypeInteger:
		return specGenInteger(s).AsAny()
	case openapi3.TypeNumber:
		return specGenNumber(s).AsAny()
	case openapi3.TypeBoolean:
		return rapid.Bool().AsAny()
	default: // strings, and untyped schemas, which any string satisfying their string keywords fits
		return specGenString(s).AsAny()
	}
}

// specGenEnum picks one of s's enum values (integral numbers as int64 when s is an integer).
func specGenEnum(s *openapi3.Schema) *rapid.Generator[any] {
	values := make([]any, len(s.Enum))
	for i, v := range s.Enum {
		if f, ok := v.(float64); ok && specType(s) == openapi3.TypeInteger && f == math.Trunc(f) {
			v = int64(f)
		}
		values[i] = v
	}
	return rapid.SampledFrom(values)
}

// specGenAlternative draws from one branch of s's oneOf/anyOf, keeping values s accepts.
func specGenAlternative(s *openapi3.Schema, depth int) *rapid.Generator[any] {
	branches := slices.Concat(s.OneOf, s.AnyOf)
	return rapid.Custom(func(t *rapid.T) any {
		b := branches[rapid.IntRange(0, len(branches)-1).Draw(t, "branch")]
		return specGenValue(b.Value, depth+1).Draw(t, "alternative")
	}).Filter(func(v any) bool { return s.VisitJSON(v, openapi3.VisitAsRequest()) == nil })
}

// specFresh returns a generator of fn's results. Unlike a rapid.Custom that draws nothing (which
// rapid rejects), it consumes a little randomness; unlike rapid.Just, it makes a fresh value for
// each draw, so callers may modify what they get.
func specFresh(fn func() any) *rapid.Generator[any] {
	return rapid.Map(rapid.Just(0), func(int) any { return fn() })
}

// specPropertyNames returns s's property names in sorted order (so draws are reproducible),
// leaving out readOnly properties, which requests must not carry.
func specPropertyNames(s *openapi3.Schema) []string {
	names := make([]string, 0, len(s.Properties))
	for name, p := range s.Properties {
		if p.Value != nil && !p.Value.ReadOnly {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// specAllowsAdditional reports whether s accepts properties it does not declare.
func specAllowsAdditional(s *openapi3.Schema) bool {
	return s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has
}

// specUnknownKey returns a property name s does not declare and obj does not hold.
func specUnknownKey(s *openapi3.Schema, obj map[string]any) string {
	key := "unknown_property"
	for i := 2; ; i++ {
		_, declared := s.Properties[key]
		_, present := obj[key]
		if !declared && !present {
			return key
		}
		key = "unknown_property_" + strconv.Itoa(i)
	}
}

// specDrawAdditional draws a value for an undeclared property of s: one valid against its
// additionalProperties schema if it has one, else a short string.
func specDrawAdditional(t *rapid.T, s *openapi3.Schema, depth int, label string) any {
	if ap := s.AdditionalProperties.Schema; ap != nil && ap.Value != nil {
		return specDrawProperty(t, ap.Value, depth+1, label)
	}
	return specGenText(1, 16, specTextRunes).Draw(t, label)
}

// specDrawObject draws a valid object for s: every required property, each optional one with
// probability 1/2, then more optional ones (or, if s allows them, undeclared ones) until
// minProperties holds. The property named omit, if any, is left out.
func specDrawObject(t *rapid.T, s *openapi3.Schema, depth int, omit string) map[string]any {
	var required, optional []string
	for _, name := range specPropertyNames(s) {
		switch {
		case name == omit:
		case slices.Contains(s.Required, name):
			required = append(required, name)
		default:
			optional = append(optional, name)
		}
	}
	// One draw for all the choices, made even when there are none: rapid rejects generators
	// that consume no randomness.
	include := rapid.SliceOfN(rapid.Bool(), len(optional), len(optional)).Draw(t, "include optional")
	obj := map[string]any{}
	for _, name := range required {
		obj[name] = specDrawProperty(t, s.Properties[name].Value, depth+1, name)
	}
	var left []string // optional properties not included yet
	for i, name := range optional {
		if include[i] && depth < specGenMaxDepth {
			obj[name] = specDrawProperty(t, s.Properties[name].Value, depth+1, name)
		} else {
			left = append(left, name)
		}
	}
	for _, name := range s.Required { // required but not declared under properties
		if _, declared := s.Properties[name]; !declared && name != omit && specAllowsAdditional(s) {
			obj[name] = specDrawAdditional(t, s, depth, name)
		}
	}
	for len(obj) < int(s.MinProps) {
		if len(left) == 0 {
			if !specAllowsAdditional(s) {
				panic("specgen: minProperties cannot be met without additional properties")
			}
			key := specUnknownKey(s, obj)
			obj[key] = specDrawAdditional(t, s, depth, key)
			continue
		}
		i := rapid.IntRange(0, len(left)-1).Draw(t, "extra property")
		name := left[i]
		left = slices.Delete(left, i, i+1)
		obj[name] = specDrawProperty(t, s.Properties[name].Value, depth+1, name)
	}
	return obj
}

// specDrawProperty draws a valid value for a property or array item with schema p: sometimes
// null when p is nullable, else a genValid value.
func specDrawProperty(t *rapid.T, p *openapi3.Schema, depth int, label string) any {
	eff, nullable := specUnwrap(p)
	if nullable && rapid.IntRange(0, 3).Draw(t, label+" is null") == 0 {
		return nil
	}
	return specGenValue(eff, depth).Draw(t, label)
}

// specItemGen returns a generator of valid items for the array schema s.
func specItemGen(s *openapi3.Schema, depth int) *rapid.Generator[any] {
	return rapid.Custom(func(t *rapid.T) any {
		if s.Items == nil || s.Items.Value == nil {
			return specGenText(0, 16, specTextRunes).Draw(t, "item")
		}
		return specDrawProperty(t, s.Items.Value, depth+1, "item")
	})
}

// specJSONKey identifies a value by its JSON encoding, as kin-openapi's uniqueItems check does.
func specJSONKey(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// specDrawItems draws between lo and hi items for the array schema s, distinct (by JSON
// encoding) when distinct is set.
func specDrawItems(t *rapid.T, s *openapi3.Schema, depth, lo, hi int, distinct bool) []any {
	item := specItemGen(s, depth)
	if distinct {
		return rapid.SliceOfNDistinct(item, lo, hi, specJSONKey).Draw(t, "items")
	}
	return rapid.SliceOfN(item, lo, hi).Draw(t, "items")
}

// specDrawArray draws a valid array for s with at least atLeast items (which must not exceed
// maxItems): between minItems and minItems+specGenMaxExtraItems items, within maxItems.
func specDrawArray(t *rapid.T, s *openapi3.Schema, depth, atLeast int) []any {
	lo := max(int(s.MinItems), atLeast)
	hi := lo + specGenMaxExtraItems
	if depth >= specGenMaxDepth {
		hi = lo
	}
	if s.MaxItems != nil && int(*s.MaxItems) < hi {
		hi = int(*s.MaxItems)
	}
	return specDrawItems(t, s, depth, lo, hi, s.UniqueItems)
}

// specItemDomain returns how many distinct items the array schema s can hold, or -1 when that
// is unbounded for practical purposes.
func specItemDomain(s *openapi3.Schema) int {
	if s.Items == nil || s.Items.Value == nil {
		return -1
	}
	eff, nullable := specUnwrap(s.Items.Value)
	n := -1
	switch {
	case len(eff.Enum) > 0:
		n = len(eff.Enum)
	case specType(eff) == openapi3.TypeBoolean:
		n = 2
	}
	if n >= 0 && nullable {
		n++
	}
	return n
}

// specLower returns s's lower numeric bound and whether it is exclusive (OpenAPI 3.0 boolean or
// 3.1 numeric exclusiveMinimum); ok is false when s has none.
func specLower(s *openapi3.Schema) (bound float64, exclusive, ok bool) {
	if s.Min != nil {
		bound, ok = *s.Min, true
		exclusive = s.ExclusiveMin.Bool != nil && *s.ExclusiveMin.Bool
	}
	if v := s.ExclusiveMin.Value; v != nil && (!ok || *v >= bound) {
		bound, exclusive, ok = *v, true, true
	}
	return bound, exclusive, ok
}

// specUpper returns s's upper numeric bound and whether it is exclusive; ok is false when s has
// none.
func specUpper(s *openapi3.Schema) (bound float64, exclusive, ok bool) {
	if s.Max != nil {
		bound, ok = *s.Max, true
		exclusive = s.ExclusiveMax.Bool != nil && *s.ExclusiveMax.Bool
	}
	if v := s.ExclusiveMax.Value; v != nil && (!ok || *v <= bound) {
		bound, exclusive, ok = *v, true, true
	}
	return bound, exclusive, ok
}

// specIntRange returns the smallest and largest integers s accepts, inventing a bound
// specGenIntSpan away from the other (or from 0) where s has none.
func specIntRange(s *openapi3.Schema) (lo, hi int64) {
	l, lx, lok := specLower(s)
	h, hx, hok := specUpper(s)
	switch {
	case lok && !hok:
		h, hx = l+specGenIntSpan, false
	case !lok && hok:
		l, lx = h-specGenIntSpan, false
	case !lok && !hok:
		l, h, lx, hx = -specGenIntSpan, specGenIntSpan, false, false
	}
	lo, hi = int64(math.Ceil(l)), int64(math.Floor(h))
	if lx && float64(lo) == l {
		lo++
	}
	if hx && float64(hi) == h {
		hi--
	}
	if s.Format == "int32" {
		lo, hi = max(lo, math.MinInt32), min(hi, math.MaxInt32)
	}
	return lo, hi
}

// specGenInteger draws int64 values within s's bounds, multiples of multipleOf if it is set.
func specGenInteger(s *openapi3.Schema) *rapid.Generator[int64] {
	lo, hi := specIntRange(s)
	if s.MultipleOf != nil && *s.MultipleOf >= 1 && *s.MultipleOf == math.Trunc(*s.MultipleOf) {
		m := int64(*s.MultipleOf)
		klo, khi := int64(math.Ceil(float64(lo)/float64(m))), int64(math.Floor(float64(hi)/float64(m)))
		return rapid.Map(rapid.Int64Range(klo, khi), func(k int64) int64 { return k * m })
	}
	return rapid.Int64Range(lo, hi)
}

// specGenNumber draws float64 values with at most two decimals within s's bounds (multiples of
// multipleOf if it is set).
func specGenNumber(s *openapi3.Schema) *rapid.Generator[float64] {
	l, lx, lok := specLower(s)
	h, hx, hok := specUpper(s)
	switch {
	case lok && !hok:
		h = l + specGenIntSpan
	case !lok && hok:
		l = h - specGenIntSpan
	case !lok && !hok:
		l, h = -specGenIntSpan, specGenIntSpan
	}
	step := 0.01
	if s.MultipleOf != nil && *s.MultipleOf > 0 {
		step = *s.MultipleOf
	}
	klo, khi := int64(math.Ceil(l/step)), int64(math.Floor(h/step))
	return rapid.Map(rapid.Int64Range(klo, khi), func(k int64) float64 {
		return float64(k) * step
	}).Filter(func(v float64) bool {
		return (v > l || !lx && v == l) && (v < h || !hx && v == h)
	})
}

// specStringBounds returns the length range (in code points) to draw strings for s from: its
// minLength up to its maxLength, capped at specGenMaxStringLen unless minLength needs more.
func specStringBounds(s *openapi3.Schema) (lo, hi int) {
	lo, hi = int(s.MinLength), max(int(s.MinLength), specGenMaxStringLen)
	if s.MaxLength != nil && int(*s.MaxLength) < hi {
		hi = int(*s.MaxLength)
	}
	return lo, hi
}

// specLen returns the length of v as JSON Schema and kin-openapi count it: in code points.
func specLen(v string) int {
	return utf8.RuneCountInString(v)
}

// specSafeRune reports whether r may appear in generated strings: graphic (so no control,
// format, private-use, surrogate or unassigned code points) and not the replacement character.
func specSafeRune(r rune) bool {
	return unicode.IsGraphic(r) && r != utf8.RuneError
}

var (
	// specTextRunes draws the runes of free text: printable ASCII half the time, otherwise Greek,
	// Cyrillic, Han (including supplementary-plane characters) or emoji.
	specTextRunes = rapid.RuneFrom(
		specRuneRange(' ', '~'),
		unicode.Greek, unicode.Cyrillic, unicode.Han,
		&unicode.RangeTable{R32: []unicode.Range32{{Lo: 0x1F600, Hi: 0x1F64F, Stride: 1}}},
	).Filter(specSafeRune)
	// specASCIIRunes draws printable ASCII runes, for passwords.
	specASCIIRunes = rapid.RuneFrom(specRuneRange(' ', '~'))
	// specAlnumRunes draws lower-case letters and digits.
	specAlnumRunes = rapid.RuneFrom([]rune("abcdefghijklmnopqrstuvwxyz0123456789"))
	// specPatterns caches compiled patterns by their OpenAPI text.
	specPatterns sync.Map
	// specKinCodepoint matches the \uXXXX escapes kin-openapi rewrites into Go's \x{XXXX}.
	specKinCodepoint = regexp.MustCompile(`\\u([0-9A-F]{4})`)
)

// specRuneRange returns the runes from lo to hi inclusive.
func specRuneRange(lo, hi rune) []rune {
	runes := make([]rune, 0, hi-lo+1)
	for r := lo; r <= hi; r++ {
		runes = append(runes, r)
	}
	return runes
}

// specGoPattern rewrites an OpenAPI pattern the way kin-openapi does before compiling it.
func specGoPattern(pattern string) string {
	return specKinCodepoint.ReplaceAllString(pattern, `\x{$1}`)
}

// specPattern returns the compiled form of an OpenAPI pattern.
func specPattern(pattern string) *regexp.Regexp {
	if re, ok := specPatterns.Load(pattern); ok {
		return re.(*regexp.Regexp)
	}
	re := regexp.MustCompile(specGoPattern(pattern))
	specPatterns.Store(pattern, re)
	return re
}

// specStringOK reports whether v meets s's length bounds and pattern.
func specStringOK(s *openapi3.Schema, v string) bool {
	n := specLen(v)
	if n < int(s.MinLength) || s.MaxLength != nil && n > int(*s.MaxLength) {
		return false
	}
	return s.Pattern == "" || specPattern(s.Pattern).MatchString(v)
}

// specGenText draws strings of lo to hi runes from runes, with no leading or trailing space (so
// values survive trimming).
func specGenText(lo, hi int, runes *rapid.Generator[rune]) *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string {
		out := rapid.SliceOfN(runes, lo, hi).Draw(t, "runes")
		if len(out) > 0 && out[0] == ' ' {
			out[0] = 'x'
		}
		if len(out) > 0 && out[len(out)-1] == ' ' {
			out[len(out)-1] = 'x'
		}
		return string(out)
	})
}

// specGenString draws strings valid against s: built for its format when kin-openapi or the
// server know it, from rapid.StringMatching for a pattern, else free text; always filtered by
// the length bounds and pattern.
func specGenString(s *openapi3.Schema) *rapid.Generator[string] {
	lo, hi := specStringBounds(s)
	var g *rapid.Generator[string]
	switch s.Format {
	case "email":
		g = specGenEmail(lo, hi)
	case "uuid":
		g = specGenUUID()
	case "date-time":
		g = specGenDateTime()
	case "date":
		g = specGenDate()
	case "uri", "url":
		g = specGenURI(lo, hi)
	case "byte":
		g = rapid.Map(rapid.SliceOfN(rapid.Byte(), 0, 24), base64.StdEncoding.EncodeToString)
	case "password":
		g = specGenText(lo, hi, specASCIIRunes)
	default:
		if s.Pattern != "" {
			return specGenPatterned(s.Pattern, lo, hi)
		}
		g = specGenText(lo, hi, specTextRunes)
	}
	return g.Filter(func(v string) bool { return specStringOK(s, v) })
}

// specGenPatterned draws strings matching pattern with lo to hi code points: it draws from
// rapid.StringMatching and keeps the longest prefix that is made of safe runes, fits the bounds
// and still matches; a draw with no such prefix is retried.
func specGenPatterned(pattern string, lo, hi int) *rapid.Generator[string] {
	re := specPattern(pattern)
	raw := rapid.StringMatching(specGoPattern(pattern))
	return rapid.Custom(func(t *rapid.T) string {
		for range specGenPatternTries {
			if v, ok := specClipToPattern(raw.Draw(t, "pattern"), re, lo, hi); ok {
				return v
			}
		}
		t.Skipf("specgen: no string of length %d..%d matching %q found", lo, hi, pattern)
		return ""
	})
}

// specClipToPattern returns the longest prefix of v, less any leading spaces, that has only safe
// runes, lo to hi code points, no trailing space, and matches re.
func specClipToPattern(v string, re *regexp.Regexp, lo, hi int) (string, bool) {
	runes := []rune(strings.TrimLeft(v, " "))
	if i := slices.IndexFunc(runes, func(r rune) bool { return !specSafeRune(r) }); i >= 0 {
		runes = runes[:i]
	}
	for n := min(len(runes), hi); n >= lo; n-- {
		if p := string(runes[:n]); !strings.HasSuffix(p, " ") && re.MatchString(p) {
			return p, true
		}
	}
	return "", false
}

// specGenEmail draws addresses "u<alnum>@example.com" of lo to hi characters.
func specGenEmail(lo, hi int) *rapid.Generator[string] {
	const fixed = len("u@example.com")
	klo, khi := max(1, lo-fixed), max(1, hi-fixed)
	return rapid.Map(specGenText(klo, max(klo, khi), specAlnumRunes), func(local string) string {
		return "u" + local + "@example.com"
	})
}

// specGenUUID draws random RFC 4122 version 4 UUIDs in canonical lower-case form.
func specGenUUID() *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string {
		b := rapid.SliceOfN(rapid.Byte(), 16, 16).Draw(t, "uuid bytes")
		b[6] = b[6]&0x0f | 0x40 // version 4
		b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
		return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	})
}

// specGenFutureTime draws UTC instants, truncated to the second, from one hour to one year
// from now (some fields, such as an API key's expires_at, must lie in the future).
func specGenFutureTime() *rapid.Generator[time.Time] {
	return rapid.Map(rapid.Int64Range(3600, 365*24*3600), func(sec int64) time.Time {
		return time.Now().UTC().Truncate(time.Second).Add(time.Duration(sec) * time.Second)
	})
}

// specGenDateTime draws RFC 3339 UTC date-times within the next year.
func specGenDateTime() *rapid.Generator[string] {
	return rapid.Map(specGenFutureTime(), func(tm time.Time) string { return tm.Format(time.RFC3339) })
}

// specGenDate draws RFC 3339 full dates within the next year.
func specGenDate() *rapid.Generator[string] {
	return rapid.Map(specGenFutureTime(), func(tm time.Time) string { return tm.Format(time.DateOnly) })
}

// specGenURI draws URLs "https://example.com/<alnum>" of lo to hi characters.
func specGenURI(lo, hi int) *rapid.Generator[string] {
	const base = "https://example.com/"
	klo, khi := max(0, lo-len(base)), max(0, hi-len(base))
	return rapid.Map(specGenText(klo, max(klo, khi), specAlnumRunes), func(path string) string {
		return base + path
	})
}

// specChildPath returns the path of property name below path, for violation descriptions.
func specChildPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// specWhy prefixes a violation description with the path it applies to.
func specWhy(path, format string, args ...any) string {
	msg := fmt.Sprintf(format, args...)
	if path == "" {
		return msg
	}
	return path + ": " + msg
}

// specMutations lists the ways to make a value invalid against s (see genInvalid) for a value at
// path, depth levels deep; path is empty for the request body itself, whose type is kept.
func specMutations(s *openapi3.Schema, path string, depth int) []specMutation {
	s, nullable := specUnwrap(s)
	var muts []specMutation
	if path != "" && specType(s) != "" {
		muts = append(muts, specWrongType(s, path, nullable))
	}
	if len(s.Enum) > 0 {
		muts = append(muts, specNotInEnum(s, path))
	}
	switch specType(s) {
	case openapi3.TypeObject:
		muts = append(muts, specObjectMutations(s, path, depth)...)
	case openapi3.TypeArray:
		muts = append(muts, specArrayMutations(s, path, depth)...)
	case openapi3.TypeString, "":
		muts = append(muts, specStringMutations(s, path)...)
	case openapi3.TypeInteger, openapi3.TypeNumber:
		muts = append(muts, specNumberMutations(s, path)...)
	}
	return muts
}

// specWrongType returns a mutation replacing a value of s by one of another JSON type (null
// only when s is not nullable).
func specWrongType(s *openapi3.Schema, path string, nullable bool) specMutation {
	typ := specType(s)
	makers := map[string]func(*rapid.T) any{
		openapi3.TypeString:  func(t *rapid.T) any { return specGenText(1, 8, specAlnumRunes).Draw(t, "string") },
		openapi3.TypeInteger: func(t *rapid.T) any { return rapid.Int64Range(-1000, 1000).Draw(t, "integer") },
		openapi3.TypeBoolean: func(t *rapid.T) any { return rapid.Bool().Draw(t, "boolean") },
		openapi3.TypeArray:   func(*rapid.T) any { return []any{} },
		openapi3.TypeObject:  func(*rapid.T) any { return map[string]any{} },
		openapi3.TypeNull:    func(*rapid.T) any { return nil },
	}
	delete(makers, typ)
	if typ == openapi3.TypeNumber {
		delete(makers, openapi3.TypeInteger) // integers are numbers
	}
	if nullable {
		delete(makers, openapi3.TypeNull)
	}
	kinds := make([]string, 0, len(makers))
	for kind := range makers {
		kinds = append(kinds, kind)
	}
	sort.Strings(kinds)
	return specMutation{
		why: specWhy(path, "wrong JSON type (want %s)", typ),
		gen: rapid.Custom(func(t *rapid.T) any {
			return makers[rapid.SampledFrom(kinds).Draw(t, "wrong type")](t)
		}),
	}
}

// specNotInEnum returns a mutation replacing a value of s by one outside its enum: above the
// largest member for numeric enums, an unlisted word otherwise.
func specNotInEnum(s *openapi3.Schema, path string) specMutation {
	var gen *rapid.Generator[any]
	switch specType(s) {
	case openapi3.TypeInteger, openapi3.TypeNumber:
		top := math.Inf(-1)
		for _, v := range s.Enum {
			if f, ok := v.(float64); ok {
				top = max(top, f)
			}
		}
		gen = rapid.Map(rapid.Int64Range(1, 1000), func(k int64) any { return int64(math.Floor(top)) + k })
	default:
		gen = rapid.Map(specGenText(1, 8, specAlnumRunes), func(w string) any { return "not_in_enum_" + w })
	}
	return specMutation{
		why: specWhy(path, "value outside enum %s", specEnumText(s.Enum)),
		gen: gen.Filter(func(v any) bool {
			return !slices.ContainsFunc(s.Enum, func(e any) bool { return specJSONKey(e) == specJSONKey(v) })
		}),
	}
}

// specEnumText describes an enum for violation descriptions, listing it only when it is short.
func specEnumText(enum []any) string {
	if len(enum) > 6 {
		return fmt.Sprintf("(%d values)", len(enum))
	}
	return fmt.Sprint(enum)
}

// specObjectMutations returns the mutations of an object with schema s: a required property
// dropped, an unknown property added, an empty object, and every mutation of each property.
func specObjectMutations(s *openapi3.Schema, path string, depth int) []specMutation {
	var muts []specMutation
	for _, name := range s.Required {
		if p := s.Properties[name]; p != nil && p.Value != nil && p.Value.ReadOnly {
			continue // not required in requests
		}
		muts = append(muts, specMutation{
			why: specWhy(path, "missing required property %q", name),
			gen: rapid.Custom(func(t *rapid.T) any { return specDrawObject(t, s, depth, name) }),
		})
	}
	if !specAllowsAdditional(s) {
		muts = append(muts, specMutation{
			why: specWhy(path, "unknown property with additionalProperties false"),
			gen: rapid.Custom(func(t *rapid.T) any {
				obj := specDrawObject(t, s, depth, "")
				obj[specUnknownKey(s, obj)] = specGenText(1, 16, specTextRunes).Draw(t, "unknown value")
				return obj
			}),
		})
	}
	if s.MinProps >= 1 {
		muts = append(muts, specMutation{
			why: specWhy(path, "empty object with minProperties %d", s.MinProps),
			gen: specFresh(func() any { return map[string]any{} }),
		})
	}
	if depth >= specGenMaxDepth {
		return muts
	}
	for _, name := range specPropertyNames(s) {
		for _, m := range specMutations(s.Properties[name].Value, specChildPath(path, name), depth+1) {
			muts = append(muts, specMutation{
				why: m.why,
				gen: rapid.Custom(func(t *rapid.T) any {
					obj := specDrawObject(t, s, depth, name)
					obj[name] = m.gen.Draw(t, name)
					return obj
				}),
			})
		}
	}
	return muts
}

// specArrayMutations returns the mutations of an array with schema s: too many items, too few
// items, and every mutation of its item schema applied to one item.
func specArrayMutations(s *openapi3.Schema, path string, depth int) []specMutation {
	var muts []specMutation
	// distinct reports whether n unique items can be drawn where s wants unique items.
	distinct := func(n int) bool {
		d := specItemDomain(s)
		return s.UniqueItems && (d < 0 || d >= n)
	}
	if s.MaxItems != nil && *s.MaxItems < specGenMaxOversizedArray {
		n := int(*s.MaxItems)
		muts = append(muts, specMutation{
			why: specWhy(path, "more than maxItems %d items", n),
			gen: rapid.Custom(func(t *rapid.T) any {
				k := rapid.IntRange(n+1, n+3).Draw(t, "length")
				return specDrawItems(t, s, depth, k, k, distinct(k))
			}),
		})
	}
	if n := int(s.MinItems); n > 0 {
		muts = append(muts, specMutation{
			why: specWhy(path, "fewer than minItems %d items", n),
			gen: rapid.Custom(func(t *rapid.T) any {
				return specDrawItems(t, s, depth, 0, n-1, distinct(n-1))
			}),
		})
	}
	if s.Items == nil || s.Items.Value == nil || s.MaxItems != nil && *s.MaxItems == 0 || depth >= specGenMaxDepth {
		return muts
	}
	for _, m := range specMutations(s.Items.Value, path+"[]", depth+1) {
		muts = append(muts, specMutation{
			why: m.why,
			gen: rapid.Custom(func(t *rapid.T) any {
				items := specDrawArray(t, s, depth, 1)
				items[rapid.IntRange(0, len(items)-1).Draw(t, "index")] = m.gen.Draw(t, "item")
				return items
			}),
		})
	}
	return muts
}

// specStringMutations returns the mutations of a string with schema s: too long, too short, and
// a bad format (for registered email, uuid, date-time and date validators).
func specStringMutations(s *openapi3.Schema, path string) []specMutation {
	var muts []specMutation
	if s.MaxLength != nil && *s.MaxLength < specGenMaxOversizedString {
		n := int(*s.MaxLength)
		muts = append(muts, specMutation{
			why: specWhy(path, "string longer than maxLength %d", n),
			gen: rapid.Custom(func(t *rapid.T) any {
				v := specGenString(s).Draw(t, "base")
				target := rapid.IntRange(n+1, n+4).Draw(t, "length")
				return v + strings.Repeat("a", target-specLen(v))
			}),
		})
	}
	if n := int(s.MinLength); n > 0 {
		muts = append(muts, specMutation{
			why: specWhy(path, "string shorter than minLength %d", n),
			gen: rapid.Custom(func(t *rapid.T) any {
				v := specGenString(s).Draw(t, "base")
				return specTruncate(v, rapid.IntRange(0, n-1).Draw(t, "length"))
			}),
		})
	}
	if bad, ok := specBadFormats[s.Format]; ok {
		if validator, registered := openapi3.SchemaStringFormats[s.Format]; registered {
			muts = append(muts, specMutation{
				why: specWhy(path, "string not in format %q", s.Format),
				gen: rapid.Map(rapid.SampledFrom(bad), func(v string) any { return v }).
					Filter(func(v any) bool { return validator.Validate(v.(string)) != nil }),
			})
		}
	}
	return muts
}

// specTruncate returns the first n code points of v (all of v if it is shorter).
func specTruncate(v string, n int) string {
	if runes := []rune(v); len(runes) > n {
		return string(runes[:n])
	}
	return v
}

// specBadFormats lists, per format, strings that its validator rejects (the mutation filters
// them through the registered validator all the same).
var specBadFormats = map[string][]string{
	"email": {
		"no-at-sign.example.com", "u@", "@example.com", "u@exa mple.com", "u@b@example.com", "u@<example>.com",
	},
	"uuid": {
		"not-a-uuid", "0f8fad5b-d9cb-469f-a165-70867728950", "0f8fad5bd9cb469fa16570867728950e",
		"0f8fad5b-d9cb-469f-a165-70867728950g", "{0f8fad5b-d9cb-469f-a165-70867728950e}",
	},
	"date-time": {
		"not-a-date-time", "2030-02-30T10:00:00Z", "2030-13-01T10:00:00Z", "2030-06-01",
		"2030-06-01T10:00:00", "2030-06-01 10:00:00Z", "2030-06-01T25:00:00Z",
	},
	"date": {
		"not-a-date", "2030-02-30", "2030-13-01", "2030-6-1", "2030-06-01T10:00:00Z", "20300601",
	},
}

// specNumberMutations returns the mutations of an integer or number with schema s: above its
// maximum and below its minimum.
func specNumberMutations(s *openapi3.Schema, path string) []specMutation {
	var muts []specMutation
	integer := specType(s) == openapi3.TypeInteger
	if h, hx, ok := specUpper(s); ok {
		var gen *rapid.Generator[any]
		if integer {
			_, hi := specIntRange(s)
			gen = rapid.Map(rapid.Int64Range(hi+1, hi+1000), func(v int64) any { return v })
		} else {
			gen = rapid.Map(rapid.Int64Range(1, 100_000), func(k int64) any { return h + float64(k)/100 })
			if hx {
				gen = rapid.OneOf(gen, rapid.Just[any](h))
			}
		}
		muts = append(muts, specMutation{why: specWhy(path, "number above maximum %g", h), gen: gen})
	}
	if l, lx, ok := specLower(s); ok {
		var gen *rapid.Generator[any]
		if integer {
			lo, _ := specIntRange(s)
			gen = rapid.Map(rapid.Int64Range(lo-1000, lo-1), func(v int64) any { return v })
		} else {
			gen = rapid.Map(rapid.Int64Range(1, 100_000), func(k int64) any { return l - float64(k)/100 })
			if lx {
				gen = rapid.OneOf(gen, rapid.Just[any](l))
			}
		}
		muts = append(muts, specMutation{why: specWhy(path, "number below minimum %g", l), gen: gen})
	}
	return muts
}

// specRoundTrip returns v as the server sees it: encoded to JSON and decoded into any.
func specRoundTrip(t *rapid.T, v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal %#v: %v", v, err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("unmarshal %s: %v", b, err)
	}
	return out
}

// specCheckJSONSafe reports the first part of a genValid value that breaks its promises: only
// JSON-shaped Go types, valid UTF-8 strings without control characters, int64 for integers.
func specCheckJSONSafe(v any, integer func(path string) bool, path string) error {
	switch v := v.(type) {
	case nil, bool, int64:
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) || integer(path) {
			return fmt.Errorf("%s: bad number %v", path, v)
		}
	case string:
		if !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl) {
			return fmt.Errorf("%s: unsafe string %q", path, v)
		}
	case []any:
		for _, item := range v {
			if err := specCheckJSONSafe(item, integer, path+"[]"); err != nil {
				return err
			}
		}
	case map[string]any:
		for k, item := range v {
			if err := specCheckJSONSafe(item, integer, specChildPath(path, k)); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("%s: unexpected Go type %T", path, v)
	}
	return nil
}

// specIntegerPaths returns a predicate telling whether a value path (as specCheckJSONSafe
// builds it) has an integer schema below s.
func specIntegerPaths(s *openapi3.Schema) func(string) bool {
	paths := map[string]bool{}
	var walk func(s *openapi3.Schema, path string, depth int)
	walk = func(s *openapi3.Schema, path string, depth int) {
		s, _ = specUnwrap(s)
		if depth > specGenMaxDepth {
			return
		}
		switch specType(s) {
		case openapi3.TypeInteger:
			paths[path] = true
		case openapi3.TypeArray:
			if s.Items != nil && s.Items.Value != nil {
				walk(s.Items.Value, path+"[]", depth+1)
			}
		case openapi3.TypeObject:
			for name, p := range s.Properties {
				walk(p.Value, specChildPath(path, name), depth+1)
			}
		}
	}
	walk(s, "", 0)
	return func(path string) bool { return paths[path] }
}

// specSetRapidChecks makes rapid.Check run n cases per call for the rest of t, unless the run
// chose a count with -rapid.checks or RAPID_CHECKS.
func specSetRapidChecks(t *testing.T, n int) {
	f := flag.Lookup("rapid.checks")
	if f == nil || os.Getenv("RAPID_CHECKS") != "" {
		return
	}
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "rapid.checks" })
	if explicit {
		return
	}
	old := f.Value.String()
	if err := f.Value.Set(strconv.Itoa(n)); err != nil {
		t.Fatalf("set rapid.checks: %v", err)
	}
	t.Cleanup(func() { _ = f.Value.Set(old) })
}

// TestSpecGenSelfCheck checks the generators against every request body in openapi.yaml: for
// JSON bodies, genValid values (after a JSON round trip) pass the schema and genInvalid values
// fail it, and each mutation on its own yields rejected values; for form bodies, genValid
// yields maps of strings that pass the schema.
func TestSpecGenSelfCheck(t *testing.T) {
	openapi3.DefineStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562)) // as the server registers it (UUIDv7 ids)
	openapi3.DefineStringFormatValidator("email", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail))
	specSetRapidChecks(t, 50)

	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile("../openapi.yaml")
	if err != nil {
		t.Fatalf("load spec: %v", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("validate spec: %v", err)
	}
	opts := []openapi3.SchemaValidationOption{openapi3.VisitAsRequest(), openapi3.MultiErrors()}

	paths := doc.Paths.Map()
	var bodies int
	for _, path := range slices.Sorted(maps.Keys(paths)) {
		ops := paths[path].Operations()
		for _, method := range slices.Sorted(maps.Keys(ops)) {
			op := ops[method]
			if op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			name := method + " " + path
			if mt := op.RequestBody.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
				bodies++
				schema := mt.Schema.Value
				t.Run(name, func(t *testing.T) { specCheckJSONBody(t, schema, opts) })
			}
			if mt := op.RequestBody.Value.Content.Get("application/x-www-form-urlencoded"); mt != nil && mt.Schema != nil {
				bodies++
				schema := mt.Schema.Value
				t.Run(name+" (form)", func(t *testing.T) { specCheckFormBody(t, schema, opts) })
			}
		}
	}
	if bodies == 0 {
		t.Fatal("no request bodies found in the spec")
	}
}

// specCheckJSONBody is TestSpecGenSelfCheck for one JSON request-body schema.
func specCheckJSONBody(t *testing.T, schema *openapi3.Schema, opts []openapi3.SchemaValidationOption) {
	valid, invalid := genValid(schema), genInvalid(schema)
	integer := specIntegerPaths(schema)
	rapid.Check(t, func(rt *rapid.T) {
		v := valid.Draw(rt, "valid")
		if err := specCheckJSONSafe(v, integer, ""); err != nil {
			rt.Fatalf("genValid broke its promises: %v", err)
		}
		if err := schema.VisitJSON(specRoundTrip(rt, v), opts...); err != nil {
			rt.Fatalf("genValid value rejected: %v", err)
		}
		bad := invalid.Draw(rt, "invalid")
		if err := schema.VisitJSON(specRoundTrip(rt, bad.Value), opts...); err == nil {
			rt.Fatalf("genInvalid value (%s) accepted: %s", bad.Why, specJSONKey(bad.Value))
		}
	})
	// rapid.Check above samples mutations at random; exercise each one deterministically too.
	for _, m := range specMutations(schema, "", 0) {
		for seed := range 5 {
			v := m.gen.Example(seed)
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("%s: marshal: %v", m.why, err)
			}
			var decoded any
			if err := json.Unmarshal(b, &decoded); err != nil {
				t.Fatalf("%s: unmarshal: %v", m.why, err)
			}
			if err := schema.VisitJSON(decoded, opts...); err == nil {
				t.Errorf("mutation %q (seed %d) accepted: %s", m.why, seed, b)
			}
		}
	}
}

// specCheckFormBody is TestSpecGenSelfCheck for one form request-body schema: genValid must
// yield maps of strings the schema accepts.
func specCheckFormBody(t *testing.T, schema *openapi3.Schema, opts []openapi3.SchemaValidationOption) {
	valid := genValid(schema)
	rapid.Check(t, func(rt *rapid.T) {
		v := valid.Draw(rt, "valid")
		fields, ok := v.(map[string]any)
		if !ok {
			rt.Fatalf("form body is %T, want map[string]any", v)
		}
		for k, f := range fields {
			if _, ok := f.(string); !ok {
				rt.Fatalf("form field %q is %T, want string", k, f)
			}
		}
		if err := schema.VisitJSON(v, opts...); err != nil {
			rt.Fatalf("genValid form body rejected: %v", err)
		}
	})
}
