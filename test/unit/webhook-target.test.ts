import { describe, expect, it } from 'vitest';
import { forbiddenTarget, isPrivateAddress } from '../../activities/webhook-target.js';

describe('webhook targets', () => {
  it('knows private, loopback, link-local and multicast addresses', () => {
    for (const ip of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:10.0.0.1',
    ]) {
      expect(isPrivateAddress(ip), ip).toBe(true);
    }
    for (const ip of [
      '8.8.8.8',
      '172.32.0.1',
      '100.128.0.1',
      '203.0.113.7',
      '2001:db8::1',
      '::ffff:8.8.8.8',
    ]) {
      expect(isPrivateAddress(ip), ip).toBe(false);
    }
  });

  it('refuses a private literal unless private targets are allowed', async () => {
    expect(await forbiddenTarget('http://169.254.169.254/latest/meta-data', false)).toMatch(
      /private address 169\.254\.169\.254/,
    );
    expect(await forbiddenTarget('http://[::1]:8080/hook', false)).toMatch(/private address ::1/);
    expect(await forbiddenTarget('http://localhost:8080/hook', false)).toMatch(/private address/);
    expect(await forbiddenTarget('http://127.0.0.1:8080/hook', true)).toBeUndefined();
    expect(await forbiddenTarget('https://203.0.113.7/hook', false)).toBeUndefined();
  });
});
