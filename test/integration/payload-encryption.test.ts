// Customer data never reaches Temporal in plain text: a case's recorded history holds ciphertext only,
// and the codec endpoint decrypts it for authorised staff (the Temporal UI's remote codec) and for no one
// else.
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AesGcmPayloadCodec,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  newPayloadKey,
  parsePayloadKeys,
} from '../../codec/payload-codec.js';
import { caseWorkflowId } from '../../domain/case.js';
import { call, intakeBody, post, type Stack, startStack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.close());

const b64 = (s: string) => Buffer.from(s).toString('base64');
const CUSTOMER = { name: '王秀英', phone: '+86 139 1234 5678' };

describe('payload encryption', () => {
  it('a case’s history holds no customer name or phone in plain text, and the codec endpoint decrypts it for a manager', async () => {
    const created = await post(stack.app, '/api/v1/cases', intakeBody({ customer: CUSTOMER }));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(
      (await post(stack.app, `/api/v1/cases/${id}/messages`, { kind: 'contact_attempt', channel: 'phone' }))
        .status,
    ).toBe(200);

    const history = await stack.client.workflow.getHandle(caseWorkflowId(id)).fetchHistory();
    const bytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
    for (const secret of [CUSTOMER.name, CUSTOMER.phone, '139 1234'])
      expect(bytes.includes(Buffer.from(secret)), secret).toBe(false);
    // The workflow's input is one encrypted payload, naming its key.
    const started = history.events?.[0].workflowExecutionStartedEventAttributes;
    const input = started?.input?.payloads?.[0];
    expect(Buffer.from(input?.metadata?.encoding ?? []).toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(input?.metadata?.[KEY_ID_METADATA] ?? []).toString()).toBe(stack.payloadCodec.keyId);

    // What the Temporal UI sends to the remote codec, and what it gets back.
    const wire = {
      payloads: [
        {
          metadata: Object.fromEntries(
            Object.entries(input?.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
          ),
          data: Buffer.from(input?.data ?? []).toString('base64'),
        },
      ],
    };
    const decoded = await call(stack.app, 'POST', '/codec/decode', {
      key: stack.keys.manager,
      payload: wire,
      headers: { 'x-namespace': 'default', origin: 'http://localhost:8233' },
    });
    expect(decoded.status, JSON.stringify(decoded.body)).toBe(200);
    expect(decoded.headers['access-control-allow-origin']).toBe('http://localhost:8233');
    const [plain] = decoded.body.payloads;
    expect(Buffer.from(plain.metadata.encoding, 'base64').toString()).toBe('json/plain');
    const arg = JSON.parse(Buffer.from(plain.data, 'base64').toString());
    expect(arg.intake.customer).toEqual(CUSTOMER);

    // Encoding round-trips through decoding.
    const encoded = await call(stack.app, 'POST', '/codec/encode', {
      key: stack.keys.admin,
      payload: { payloads: [plain] },
    });
    expect(encoded.status).toBe(200);
    const again = await call(stack.app, 'POST', '/codec/decode', {
      key: stack.keys.admin,
      payload: encoded.body,
    });
    expect(again.body.payloads).toEqual([plain]);

    // Everyone else is refused: other roles, no key.
    for (const role of ['engineer', 'helpdesk', 'specialist', 'finance'] as const) {
      const r = await call(stack.app, 'POST', '/codec/decode', { key: stack.keys[role], payload: wire });
      expect(r.status, role).toBe(403);
      expect(r.body.payloads).toBeUndefined();
    }
    const anonymous = await call(stack.app, 'POST', '/codec/decode', { key: null, payload: wire });
    expect(anonymous.status).toBe(401);
  });

  it('answers the Temporal UI’s preflight, passes plain payloads through, refuses an unknown key id', async () => {
    const preflight = await stack.app.inject({
      method: 'OPTIONS',
      url: '/codec/decode',
      headers: {
        origin: 'http://localhost:8233',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-namespace',
      },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('http://localhost:8233');
    expect(String(preflight.headers['access-control-allow-headers'])).toContain('x-namespace');
    const foreign = await stack.app.inject({
      method: 'OPTIONS',
      url: '/codec/decode',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();

    const plain = { metadata: { encoding: b64('json/plain') }, data: b64('"plain"') };
    const passed = await call(stack.app, 'POST', '/codec/decode', { payload: { payloads: [plain] } });
    expect(passed.status).toBe(200);
    expect(passed.body.payloads).toEqual([plain]);

    const other = new AesGcmPayloadCodec(parsePayloadKeys(newPayloadKey('elsewhere')));
    const [sealed] = await other.encode([
      { metadata: { encoding: new TextEncoder().encode('json/plain') }, data: new TextEncoder().encode('1') },
    ]);
    const refused = await call(stack.app, 'POST', '/codec/decode', {
      payload: {
        payloads: [
          {
            metadata: Object.fromEntries(
              Object.entries(sealed.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
            ),
            data: Buffer.from(sealed.data ?? []).toString('base64'),
          },
        ],
      },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.detail).toContain('elsewhere');
  });

  it('rotation: a codec whose first key is new still decrypts what the old key encrypted', async () => {
    const old = newPayloadKey('old');
    const before = new AesGcmPayloadCodec(parsePayloadKeys(old));
    const after = new AesGcmPayloadCodec(parsePayloadKeys(`${newPayloadKey('new')},${old}`));
    const payload = {
      metadata: { encoding: new TextEncoder().encode('json/plain') },
      data: new TextEncoder().encode('"x"'),
    };
    const [sealed] = await before.encode([payload]);
    expect(await after.decode([sealed])).toEqual([payload]);
    const [resealed] = await after.encode([payload]);
    expect(Buffer.from(resealed.metadata?.[KEY_ID_METADATA] ?? []).toString()).toBe('new');
    await expect(before.decode([resealed])).rejects.toThrow('no payload key "new"');
  });
});
