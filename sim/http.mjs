// The simulator's answers: JSON (or an HTML page when given a string) with its length, and
// the API's failure body. Must not: decide anything.

export function send(res, status, body, headers = {}) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": typeof body === "string" ? "text/html" : "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** `{status: "FAILED", errorCode?, message, …extra}`: `body` is `{ errorCode, message, …extra }`. */
export function fail(res, status, { errorCode, ...rest }, headers = {}) {
  send(res, status, { status: "FAILED", ...(errorCode ? { errorCode } : {}), ...rest }, headers);
}
