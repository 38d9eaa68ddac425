// The API client: same origin, API key from session storage, problem+json errors.

const KEY = "memcubedb.apiKey";

/** The API key kept for this browser tab (session storage, never local storage). */
export const session = {
  get key() {
    return sessionStorage.getItem(KEY);
  },
  set(key) {
    sessionStorage.setItem(KEY, key);
  },
  clear() {
    sessionStorage.removeItem(KEY);
  },
};

/** An error answer of the API (RFC 9457 problem details). */
export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

function queryString(params) {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "") continue;
    for (const v of Array.isArray(value) ? value : [value]) q.append(name, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

async function request(path, { method = "GET", query = {}, body, key = session.key } = {}) {
  const headers = { Accept: "application/json", "X-API-Key": key ?? "" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path + queryString(query), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data?.detail ?? `${res.status} ${res.statusText}`);
  return data;
}

/** Query parameters of a filter for the GET graph routes. */
function filterQuery(f) {
  return {
    memory_type: f.memory_types ?? undefined,
    state: f.states ?? undefined,
    created_from: f.created_from,
    created_to: f.created_to,
    source: f.source,
  };
}

/** The routes the dashboard uses: /v1/graph (bounded subgraphs), /v1/search, /v1/chat/completions, /v1/health. */
export const api = {
  /** Check a key before keeping it; resolves to the caller's visible sources. */
  check: (key) => request("/v1/graph/sources", { query: { limit: 1 }, key }),
  health: () => request("/v1/health"),
  sources: () => request("/v1/graph/sources", { query: { limit: 100 } }),
  overview: (filter, limit) => request("/v1/graph/overview", { query: { ...filterQuery(filter), limit } }),
  neighbourhood: (seeds, known, filter, limit) =>
    request("/v1/graph/neighbourhood", { method: "POST", body: { seeds, known, filter, limit } }),
  find: (q, filter, limit = 10) => request("/v1/graph/find", { query: { ...filterQuery(filter), q, limit } }),
  search: (query, filter, k = 10) =>
    request("/v1/search", {
      method: "POST",
      body: { query, k, filters: filter.memory_types ? { memory_types: filter.memory_types } : null },
    }),
  timeline: (filter, limit = 100) => request("/v1/graph/timeline", { query: { ...filterQuery(filter), limit } }),
  cube: (id) => request(`/v1/graph/cubes/${encodeURIComponent(id)}`),
  chat: (messages, maxTokens = 128) =>
    request("/v1/chat/completions", { method: "POST", body: { messages, max_tokens: maxTokens } }),
};
