package chunk

import (
	"strings"
	"unicode/utf8"
)

// parse reads src from start into blocks: ATX and one-line setext headings, fenced code
// (up to the closing fence or the end), and runs of non-blank lines (paragraphs, lists,
// quotes, tables), separated by blank lines. It is the small part of CommonMark that
// decides where a document may be cut, not a renderer.
func parse(src string, start int) []block {
	var out []block
	i := start
	for i < len(src) {
		le, next := lineAt(src, i)
		line := src[i:le]
		switch {
		case isBlank(line):
			i = next
			continue
		case isATX(line):
			lvl, title := atx(line)
			out = append(out, block{kind: kindHeading, start: i, end: le, level: lvl, title: title})
			i = next
			continue
		}
		if fc, n := fenceOpen(line); n > 0 {
			end, j := le, next
			for j < len(src) {
				fe, fn := lineAt(src, j)
				l := src[j:fe]
				end, j = fe, fn
				if isFenceClose(l, fc, n) {
					break
				}
			}
			out = append(out, block{kind: kindCode, start: i, end: end})
			i = j
			continue
		}
		b := block{kind: kindText, start: i, end: le}
		if strings.HasPrefix(strings.TrimLeft(line, " \t"), "|") {
			b.kind = kindTable
		}
		j, lines := next, 1
		for j < len(src) {
			fe, fn := lineAt(src, j)
			l := src[j:fe]
			if isBlank(l) || isATX(l) {
				break
			}
			if _, n := fenceOpen(l); n > 0 {
				break
			}
			if lvl := setextUnderline(l); lvl > 0 && lines == 1 && b.kind == kindText && !isListItem(line) {
				b = block{kind: kindHeading, start: i, end: fe, level: lvl, title: cleanTitle(line)}
				j = fn
				break
			}
			b.end, j = fe, fn
			lines++
		}
		out = append(out, b)
		i = j
	}
	return out
}

// lineAt returns where the line starting at i ends (before its terminator: LF, CRLF or CR)
// and where the next one starts.
func lineAt(src string, i int) (end, next int) {
	j := strings.IndexAny(src[i:], "\r\n")
	if j < 0 {
		return len(src), len(src)
	}
	end = i + j
	if src[end] == '\r' && end+1 < len(src) && src[end+1] == '\n' {
		return end, end + 2
	}
	return end, end + 1
}

// indent strips up to three leading spaces, or reports false for four or more (or a tab),
// which make an indented code line rather than a heading or fence.
func indent(line string) (string, bool) {
	i := 0
	for i < len(line) && i < 4 && line[i] == ' ' {
		i++
	}
	if i == 4 || (i < len(line) && line[i] == '\t') {
		return line, false
	}
	return line[i:], true
}

func isATX(line string) bool {
	l, ok := indent(line)
	if !ok {
		return false
	}
	n := 0
	for n < len(l) && l[n] == '#' {
		n++
	}
	return n >= 1 && n <= 6 && (n == len(l) || l[n] == ' ' || l[n] == '\t')
}

func atx(line string) (int, string) {
	l, _ := indent(line)
	n := 0
	for n < len(l) && l[n] == '#' {
		n++
	}
	t := strings.TrimRight(l[n:], " \t")
	if c := strings.TrimRight(t, "#"); c == "" || strings.HasSuffix(c, " ") || strings.HasSuffix(c, "\t") {
		t = c // closing sequence
	}
	return n, cleanTitle(t)
}

// cleanTitle trims a heading, drops emphasis and code marks (* and `), folds its white space
// and caps it at MaxHeadingTitle bytes, on a word (or at least character) boundary, marking
// the cut with an ellipsis.
func cleanTitle(t string) string {
	t = strings.Join(strings.Fields(titleMarks.Replace(t)), " ")
	if len(t) <= MaxHeadingTitle {
		return t
	}
	cut := MaxHeadingTitle - len("…")
	for cut > 0 && !utf8.RuneStart(t[cut]) {
		cut--
	}
	if sp := strings.LastIndexByte(t[:cut], ' '); sp > cut/2 {
		cut = sp
	}
	return t[:cut] + "…"
}

var titleMarks = strings.NewReplacer("*", "", "`", "")

func setextUnderline(line string) int {
	l, ok := indent(line)
	if !ok {
		return 0
	}
	l = strings.TrimRight(l, " \t")
	switch {
	case len(l) >= 1 && strings.Trim(l, "=") == "":
		return 1
	case len(l) >= 3 && strings.Trim(l, "-") == "":
		return 2
	}
	return 0
}

// fenceOpen returns the fence character and length of a line opening a fenced code block.
func fenceOpen(line string) (byte, int) {
	l, ok := indent(line)
	if !ok || len(l) < 3 || (l[0] != '`' && l[0] != '~') {
		return 0, 0
	}
	c, n := l[0], 0
	for n < len(l) && l[n] == c {
		n++
	}
	if n < 3 || (c == '`' && strings.IndexByte(l[n:], '`') >= 0) {
		return 0, 0
	}
	return c, n
}

func isFenceClose(line string, c byte, n int) bool {
	l, ok := indent(line)
	if !ok {
		return false
	}
	m := 0
	for m < len(l) && l[m] == c {
		m++
	}
	return m >= n && isBlank(l[m:])
}

// isListItem reports whether a line starts a list item: "-", "*" or "+", or up to nine
// digits and "." or ")", then white space (any indentation: nested items count).
func isListItem(line string) bool {
	l := strings.TrimLeft(line, " \t")
	if len(l) >= 2 && (l[0] == '-' || l[0] == '*' || l[0] == '+') {
		return l[1] == ' ' || l[1] == '\t'
	}
	d := 0
	for d < len(l) && d < 9 && l[d] >= '0' && l[d] <= '9' {
		d++
	}
	return d > 0 && d+1 < len(l) && (l[d] == '.' || l[d] == ')') && (l[d+1] == ' ' || l[d+1] == '\t')
}
