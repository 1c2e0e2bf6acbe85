/** Whether an `Accept-Encoding` header accepts gzip (RFC 9110 §12.5.3, q-values included). */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  if (header === undefined) return false;
  const value = typeof header === 'string' ? header : header.join(',');
  // clients send a handful of distinct headers: parse each only when it changes
  if (value === last) return lastAnswer;
  lastAnswer = parse(value);
  last = value;
  return lastAnswer;
}

let last: string | undefined;
let lastAnswer = false;

const Q = /^\s*q\s*=\s*([\d.]+)\s*$/i;

function parse(value: string): boolean {
  let star = false;
  for (const part of value.split(',')) {
    const params = part.split(';');
    const coding = params[0].trim().toLowerCase();
    if (coding !== 'gzip' && coding !== 'x-gzip' && coding !== '*') continue;
    let q = 1;
    for (let i = 1; i < params.length; i++) {
      const m = Q.exec(params[i]);
      if (m) q = Number(m[1]);
    }
    // a coding named outright wins over `*`
    if (coding !== '*') return q > 0;
    star = q > 0;
  }
  return star;
}
