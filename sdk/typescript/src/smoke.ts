/**
 * Smoke journey of the TypeScript SDK against a live server (XENTREE_URL): register, log in,
 * read the profile, create an organization, list its members, chat, refresh (asked for, and after a
 * 401), log out. Exits non-zero
 * on the first unexpected answer. `make test` runs it (server/clients_test.go).
 */
import { XentreeClient, XentreeError, type Schemas } from "./index.js";

declare const process: { env: Record<string, string | undefined>; exitCode?: number };

function check(cond: boolean, what: string, got?: unknown): void {
  if (!cond) throw new Error(`${what}: ${JSON.stringify(got)}`);
  console.log(`ok ${what}`);
}

async function main(): Promise<void> {
  const baseUrl = process.env.XENTREE_URL ?? "http://localhost:8080";
  const name = `ts_${Date.now().toString(36)}`;
  const client = new XentreeClient({ baseUrl });
  const { api } = client;

  const reg = await api.POST("/api/auth/register", {
    body: { username: name, email: `${name}@example.com`, password: "correct-horse-ts", full_name: "TypeScript Smoke" },
  });
  check(reg.response.status === 201 && reg.data?.username === name, "register", reg.error);
  const dup = await api.POST("/api/auth/register", {
    body: { username: name, email: `x${name}@example.com`, password: "correct-horse-ts" },
  });
  check(dup.response.status === 409 && dup.error?.detail.error === "user_exists", "duplicate register is 409", dup.error);

  try {
    await client.login(name, "wrong-password");
    check(false, "wrong password refused");
  } catch (e) {
    check(e instanceof XentreeError && e.status === 401, "wrong password refused", String(e));
  }
  const tokens = await client.login(name, "correct-horse-ts");
  check(tokens.token_type === "bearer" && tokens.expires_in > 0, "login", tokens.token_type);

  const me = await api.GET("/api/auth/me");
  const profile: Schemas["UserProfile"] | undefined = me.data;
  check(profile?.username === name && profile.email === `${name}@example.com`, "me", me.error);

  const org = await api.POST("/api/organizations", { body: { name: `Smoke ${name}` } });
  check(org.response.status === 201 && org.data?.my_role === "admin", "create organization", org.error);
  const members = await api.GET("/api/organizations/{org_id}/members", {
    params: { path: { org_id: org.data!.id }, query: { limit: 10 } },
  });
  const [only] = members.data ?? [];
  check(members.data?.length === 1 && only?.username === name && only.role === "admin", "list members", members.error);

  const chat = await api.POST("/api/core/chat", { body: { message: "What does 'actually' mean?" } });
  const reply = chat.data; // the JSON reply, or the event stream's text with Accept: text/event-stream
  check(typeof reply === "object" && reply.provider === "offline" && reply.content.trim() !== "", "chat with the offline tutor", chat.error);

  await client.refresh();
  check(client.session?.access_token !== tokens.access_token, "refresh rotates the pair");
  const again = await api.GET("/api/auth/me");
  check(again.response.status === 200, "me after refresh", again.error);

  // A resumed session whose access token the server refuses: the 401 triggers a refresh and
  // the call (with its body) is sent again.
  const resumed = new XentreeClient({ baseUrl, tokens: { ...client.session!, access_token: "stale" } });
  const second = await resumed.api.POST("/api/organizations", { body: { name: `Smoke two ${name}` } });
  check(second.response.status === 201 && resumed.session?.access_token !== "stale", "401 refreshes and repeats the call", second.error);

  await resumed.logout();
  const after = await resumed.api.GET("/api/auth/me");
  check(after.response.status === 401, "me after logout is 401", after.error);
}

main().catch((e: unknown) => {
  console.error(`FAIL ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
