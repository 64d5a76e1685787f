/**
 * TypeScript client of the Xentree API. `schema.ts` is generated from the API's openapi.yaml
 * by openapi-typescript; `api` is an openapi-fetch client typed by it (every path, parameter,
 * body and response checked at compile time). This file adds authentication: a login that
 * keeps the token pair, a refresh shortly before the access token expires and once more after
 * a 401 (the call is then repeated), logout, and API keys.
 */
import createClient, { type Client } from "openapi-fetch";
import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths };
/** The API's named schemas, e.g. `Schemas["UserProfile"]`. */
export type Schemas = components["schemas"];
export type TokenResponse = Schemas["TokenResponse"];
export type ErrorDetail = Schemas["ErrorDetail"];

/** An error answer of the API: its status and the Error body's detail. */
export class XentreeError extends Error {
  constructor(
    readonly status: number,
    readonly detail: ErrorDetail,
  ) {
    super(`${status} ${detail.error}: ${detail.message}`);
    this.name = "XentreeError";
  }
}

export interface XentreeOptions {
  /** The API's base URL, e.g. "http://localhost:8080". */
  baseUrl: string;
  /** An API key (`X-API-Key`) instead of a login. */
  apiKey?: string;
  /** A token pair from an earlier login, to resume a session. */
  tokens?: TokenResponse;
  /** Called with every new token pair (to persist it, say). */
  onTokens?: (tokens: TokenResponse) => void;
  /** fetch to use (globalThis.fetch by default). */
  fetch?: typeof fetch;
}

/**
 * A Xentree API client. Call the API through `api` (`api.GET("/api/auth/me")`); `login` signs
 * every later call with the session's access token.
 */
export class XentreeClient {
  readonly api: Client<paths>;
  private tokens: TokenResponse | undefined;
  private expiresAt = 0;
  private refreshing: Promise<void> | undefined;
  private readonly send: typeof fetch;

  constructor(private readonly opts: XentreeOptions) {
    this.send = opts.fetch ?? globalThis.fetch.bind(globalThis);
    if (opts.tokens) this.store(opts.tokens);
    this.api = createClient<paths>({ baseUrl: opts.baseUrl, fetch: (req) => this.signed(req) });
  }

  /** Logs in with a username (or email) and password; later calls carry the access token. */
  async login(username: string, password: string): Promise<TokenResponse> {
    const { data, error, response } = await this.api.POST("/api/auth/login", {
      body: { username, password },
      bodySerializer: (body) => new URLSearchParams(body as Record<string, string>).toString(),
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    if (!data) throw new XentreeError(response.status, error.detail);
    this.store(data);
    return data;
  }

  /** Exchanges the refresh token for a new pair now (concurrent callers share one refresh). */
  refresh(): Promise<void> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** Ends the session on the server: its tokens stop working at once. */
  async logout(): Promise<void> {
    const { error, response } = await this.api.POST("/api/auth/logout");
    this.tokens = undefined;
    if (error) throw new XentreeError(response.status, error.detail);
  }

  /** The current token pair, if logged in. */
  get session(): TokenResponse | undefined {
    return this.tokens;
  }

  private async doRefresh(): Promise<void> {
    const refresh_token = this.tokens?.refresh_token;
    if (!refresh_token) throw new Error("xentree: not logged in");
    const { data, error, response } = await this.api.POST("/api/auth/refresh", { body: { refresh_token } });
    if (!data) throw new XentreeError(response.status, error.detail);
    this.store(data);
  }

  // A pair counts as expired a tenth of its lifetime early (at most a minute).
  private store(t: TokenResponse): void {
    const life = t.expires_in * 1000;
    this.tokens = t;
    this.expiresAt = Date.now() + life - Math.min(life / 10, 60_000);
    this.opts.onTokens?.(t);
  }

  private async signed(req: Request): Promise<Response> {
    const path = new URL(req.url).pathname;
    if (this.opts.apiKey) req.headers.set("X-API-Key", this.opts.apiKey);
    if (!this.tokens || path === "/api/auth/login" || path === "/api/auth/refresh") return this.send(req);
    if (Date.now() >= this.expiresAt) await this.refresh();
    const retry = req.clone();
    const used = this.tokens.access_token;
    req.headers.set("Authorization", `Bearer ${used}`);
    const res = await this.send(req);
    if (res.status !== 401 || path === "/api/auth/logout") return res;
    try {
      if (this.tokens?.access_token === used) await this.refresh();
    } catch (e) {
      if (e instanceof XentreeError) return res; // the session is over: the caller sees the 401
      throw e;
    }
    retry.headers.set("Authorization", `Bearer ${this.tokens!.access_token}`);
    return this.send(retry);
  }
}
