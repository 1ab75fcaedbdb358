// The JSON API of `ariadne serve --http` (docs/http-api.md), with the workspace's token and case
// id on every request: the server's gateway authenticates, limits and audits them as it does gRPC.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(`${code}: ${message}`);
    this.status = status;
    this.code = code;
  }
}

export class Api {
  constructor(base = '') {
    this.base = base;
    this.token = '';
    this.caseId = '';
  }

  // GET /api/v1/<path>?<params>. Returns: the parsed JSON. Throws: ApiError with the server's
  // code and message (or NETWORK when the server cannot be reached).
  async get(path, params = {}) {
    const text = await this.request('GET', path, params);
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new ApiError(200, 'BAD_REPLY', `not JSON: ${text.slice(0, 200)}`);
    }
  }

  // POST /api/v1/<path>?<params> with `body` as JSON. Returns: the reply's text (the report route
  // answers HTML). Throws: as get().
  async post(path, params, body) {
    return this.request('POST', path, params, JSON.stringify(body));
  }

  async request(method, path, params, body) {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (v !== undefined && v !== null && v !== '') query.append(k, String(v));
    }
    const url = `${this.base}/api/v1/${path}${query.toString() ? `?${query}` : ''}`;
    const headers = {};
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (this.caseId) headers['X-Ariadne-Case'] = this.caseId;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(url, { method, headers, body });
    } catch (e) {
      throw new ApiError(0, 'NETWORK', `the server cannot be reached (${e.message})`);
    }
    const text = await response.text();
    if (response.ok) return text;
    let error;
    try {
      error = JSON.parse(text);
    } catch (e) {
      throw new ApiError(response.status, 'BAD_REPLY', `not JSON: ${text.slice(0, 200)}`);
    }
    throw new ApiError(response.status, error.code, error.message);
  }
}
