package server_test

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"go.yaml.in/yaml/v4"

	xentree "github.com/xentree/xentree-api"
)

// envArtifacts names the folder for test artifacts (the explorer screenshot); default
// test-artifacts/ at the repository root.
const envArtifacts = "XENTREE_TEST_ARTIFACTS"

// TestExplorerInBrowser loads /docs in headless Chromium (Debian's, `make chromium`) against
// the real server: every tag of the spec is shown, in the spec's order with its operations in
// the spec's order; the page makes no request beyond 127.0.0.1; a token obtained here
// authorizes the explorer, and "Try it out" on GET /api/auth/me shows the 200 body. A
// screenshot is saved as a test artifact.
func TestExplorerInBrowser(t *testing.T) {
	browser, err := exec.LookPath("chromium")
	if err != nil {
		skipLoudly(t, envRequireClients, "Explorer browser test", "chromium is not installed (make chromium)")
	}
	h := newHarness(t, "sqlite")
	base := h.listen()
	u := h.newUser("explorer")

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		// Belt and braces: no name but 127.0.0.1 resolves, so nothing can leave the machine.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.WindowSize(1280, 1600))
	var mu sync.Mutex
	var requested []string
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			requested = append(requested, e.Request.URL)
			mu.Unlock()
		}
	}))
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 45*time.Second)
	defer cancel()

	spec, _ := loadTestSpec(t)
	var wantTags, wantOps []string
	for _, tag := range spec.Tags {
		wantTags = append(wantTags, tag.Name)
	}
	tagOf := map[string]string{}
	for _, op := range specOps(spec) {
		tagOf[op.ID] = op.Op.Tags[0]
	}
	inFileOrder := specOpsInFileOrder(t)
	for _, tag := range wantTags { // the explorer groups operations by tag, in the file's order
		for _, id := range inFileOrder {
			if tagOf[id] == tag {
				wantOps = append(wantOps, id)
			}
		}
	}

	me := `#operations-Authentication-getMe`
	step := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("explorer, %s: %v", what, err)
		}
	}
	value := func(what string, a chromedp.Action[string]) string {
		t.Helper()
		v, err := chromedp.Run(ctx, a)
		if err != nil {
			t.Fatalf("explorer, %s: %v", what, err)
		}
		return v
	}
	list := func(what, js string) []string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](js))
		if err != nil {
			t.Fatalf("explorer, %s: %v", what, err)
		}
		return v
	}
	step("load /docs", chromedp.Navigate(base+"/docs"), chromedp.WaitVisible(chromedp.CSS(me)))
	tags := list("tags", `Array.from(document.querySelectorAll('h3.opblock-tag')).map(e => e.getAttribute('data-tag'))`)
	ops := list("operations", `Array.from(document.querySelectorAll('.opblock')).map(e => e.id.split('-').slice(2).join('-'))`)
	// Authorize with the bearer token: the first scheme of the dialog is bearerAuth.
	step("authorize",
		chromedp.Click(chromedp.CSS(`.auth-wrapper .authorize`)),
		chromedp.WaitVisible(chromedp.CSS(`.modal-ux .auth-container input`)),
		chromedp.SendKeys(chromedp.CSS(`.modal-ux .auth-container input`), u.Access),
		chromedp.Click(chromedp.CSS(`.modal-ux .auth-container .auth-btn-wrapper .authorize`)),
		chromedp.Click(chromedp.CSS(`.modal-ux .btn-done`)),
		chromedp.WaitNotPresent(chromedp.CSS(`.modal-ux`)))
	defer func() {
		if t.Failed() {
			html, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('`+me+` .live-responses-table').outerHTML`))
			t.Logf("responses table: %s", html)
		}
	}()
	step("try it out",
		chromedp.Click(chromedp.CSS(me+` .opblock-summary-control`)),
		chromedp.Click(chromedp.CSS(me+` .try-out__btn`)),
		chromedp.Click(chromedp.CSS(me+` .execute`)),
		chromedp.WaitVisible(chromedp.CSS(me+` .live-responses-table .response .response-col_status`)),
		chromedp.ScrollIntoView(chromedp.CSS(me+` .live-responses-table`)))
	status := value("status", chromedp.Text(chromedp.CSS(me+` .live-responses-table tbody .response-col_status`)))
	body := value("body", chromedp.Text(chromedp.CSS(me+` .live-responses-table .response .response-col_description`)))
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	saveArtifact(t, "explorer.png", shot)

	if strings.Join(tags, "|") != strings.Join(wantTags, "|") {
		t.Errorf("tags shown %q, want the spec's %q", tags, wantTags)
	}
	if strings.Join(ops, "|") != strings.Join(wantOps, "|") {
		t.Errorf("operations shown in the order\n%q\nwant the spec's\n%q", ops, wantOps)
	}
	if !strings.HasPrefix(strings.TrimSpace(status), "200") || !strings.Contains(body, `"username": "`+u.Username+`"`) {
		t.Errorf("Try it out on GET /api/auth/me: status %q, body %q", status, body)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(requested) < 3 {
		t.Fatalf("only %d requests seen: %q", len(requested), requested)
	}
	for _, r := range requested {
		p, err := url.Parse(r)
		if err != nil || (p.Scheme == "http" || p.Scheme == "https") && p.Hostname() != "127.0.0.1" || p.Scheme != "http" && p.Scheme != "data" {
			t.Errorf("request beyond 127.0.0.1: %s", r)
		}
	}
}

// saveArtifact writes a test artifact and logs where.
func saveArtifact(t *testing.T, name string, data []byte) {
	t.Helper()
	dir := os.Getenv(envArtifacts)
	if dir == "" {
		dir = filepath.Join(repoRoot, "test-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(path)
	t.Logf("artifact: %s", abs)
}

// specOpsInFileOrder lists the operation ids in the order openapi.yaml has them.
func specOpsInFileOrder(t *testing.T) []string {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(xentree.OpenAPISpec, &doc); err != nil {
		t.Fatal(err)
	}
	var ids []string
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != "paths" {
			continue
		}
		paths := root.Content[i+1]
		for p := 1; p < len(paths.Content); p += 2 {
			item := paths.Content[p]
			for m := 1; m < len(item.Content); m += 2 {
				op := item.Content[m]
				for k := 0; k+1 < len(op.Content); k += 2 {
					if op.Content[k].Value == "operationId" {
						ids = append(ids, op.Content[k+1].Value)
					}
				}
			}
		}
	}
	return ids
}
