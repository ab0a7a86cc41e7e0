// An independent HTTP-signature peer for tests/federation/signatures.
//
// Reads one JSON request on stdin, writes one JSON answer on stdout. It signs
// and verifies with two npm libraries that share no code with Curbside or with
// the Python http-message-signatures package:
//   * RFC 9421: "http-message-signatures" (dhensby, ISC), httpbis module;
//   * draft-cavage-12: "@misskey-dev/node-http-message-signatures" (MIT), the
//     implementation Misskey's ActivityPub federation uses.
// Body digests are computed here with node:crypto, not by either side's code.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import {
  parseRequestSignature,
  signAsDraftToRequest,
  verifyDraftSignature,
  verifyRFC3230DigestHeader,
} from '@misskey-dev/node-http-message-signatures';

const require = createRequire(import.meta.url);
const { httpbis, createSigner, createVerifier } = require('http-message-signatures');

const RFC9421_FIELDS = ['@method', '@target-uri', 'content-digest'];
const CAVAGE_HEADERS = ['(request-target)', 'host', 'date', 'digest'];

function sha256(body) {
  return createHash('sha256').update(body).digest('base64');
}

function bodyOf(request) {
  return Buffer.from(request.body_b64 ?? '', 'base64');
}

function pathAndQuery(url) {
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
}

async function rfc9421Sign(request) {
  const headers = { ...request.headers, 'Content-Digest': `sha-256=:${sha256(bodyOf(request))}:` };
  const signed = await httpbis.signMessage(
    {
      key: createSigner(request.private_key_pem, 'ed25519', request.key_id),
      name: 'sig1',
      fields: RFC9421_FIELDS,
      params: ['created', 'keyid', 'alg'],
      paramValues: { created: new Date(request.created * 1000) },
    },
    { method: request.method, url: request.url, headers },
  );
  return { headers: signed.headers };
}

async function rfc9421Verify(request) {
  const body = bodyOf(request);
  const verifier = createVerifier(request.public_key_pem, 'ed25519');
  const verified = await httpbis.verifyMessage(
    {
      keyLookup: async (params) =>
        params.keyid === request.key_id ? { id: params.keyid, algs: ['ed25519'], verify: verifier } : null,
      requiredFields: RFC9421_FIELDS,
      requiredParams: ['created', 'keyid'],
      notAfter: request.now + 60,
      maxAge: 300,
    },
    { method: request.method, url: request.url, headers: request.headers },
  );
  // The library checks the signature over the Content-Digest header only; the
  // header must still match the body, as any receiver has to check.
  const digestHeader = Object.entries(request.headers).find(([name]) => name.toLowerCase() === 'content-digest');
  const digest = digestHeader !== undefined && digestHeader[1] === `sha-256=:${sha256(body)}:`;
  return { verified: verified === true, digest };
}

async function cavageSign(request) {
  const body = bodyOf(request);
  const outgoing = {
    method: request.method,
    url: pathAndQuery(request.url),
    headers: {
      Host: new URL(request.url).host,
      Date: new Date(request.created * 1000).toUTCString(),
      Digest: `SHA-256=${sha256(body)}`,
    },
  };
  await signAsDraftToRequest(
    outgoing,
    { keyId: request.key_id, privateKeyPem: request.private_key_pem },
    CAVAGE_HEADERS,
    { hash: 'SHA-256' },
  );
  return { headers: outgoing.headers };
}

async function cavageVerify(request) {
  const incoming = { method: request.method, url: pathAndQuery(request.url), headers: lowercase(request.headers) };
  const parsed = parseRequestSignature(incoming, {
    clockSkew: { now: new Date(request.now * 1000), delay: 300 * 1000, forward: 60 * 1000 },
    requiredComponents: { draft: CAVAGE_HEADERS },
  });
  const verified = await verifyDraftSignature(parsed.value, request.public_key_pem);
  const digest = await verifyRFC3230DigestHeader(incoming, bodyOf(request), { failOnNoDigest: true, algorithms: ['SHA-256'] });
  return { verified, digest, key_id: parsed.value.keyId, algorithm: parsed.value.algorithm };
}

function lowercase(headers) {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

const OPERATIONS = {
  'rfc9421-sign': rfc9421Sign,
  'rfc9421-verify': rfc9421Verify,
  'cavage-sign': cavageSign,
  'cavage-verify': cavageVerify,
};

const chunks = [];
for await (const chunk of process.stdin) {
  chunks.push(chunk);
}
const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const operation = OPERATIONS[request.operation];
if (operation === undefined) {
  throw new Error(`unknown operation ${request.operation}`);
}
process.stdout.write(JSON.stringify(await operation(request)));
