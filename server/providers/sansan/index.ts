/** SanSan Fintech: cards in USD with 3-D Secure. docs/providers/sansan.md */
import { createPublicKey, randomBytes } from 'node:crypto';
import {
  createSanSanSimulator,
  generateSanSanSandboxKeys,
  type SanSanSandboxKeys,
} from '../../sandbox/sansan/index.ts';
import { defineProvider } from '../provider.ts';
import { createSanSanProvider } from './adapter.ts';
import { normalisePem, sansanOptionsSchema } from './options.ts';

interface SandboxSecrets extends SanSanSandboxKeys {
  aesKey: string;
  token: string;
}

/**
 * The sandbox's keys and secrets: made once per process, on first use, and never written down, so
 * nothing that could pass for a real key is ever committed.
 */
let sandboxSecrets: SandboxSecrets | null = null;

function sandbox(): SandboxSecrets {
  sandboxSecrets ??= {
    ...generateSanSanSandboxKeys(),
    aesKey: randomBytes(16).toString('base64'),
    token: `sandbox_${randomBytes(24).toString('base64url')}`,
  };
  return sandboxSecrets;
}

function spki(pem: string): string {
  return createPublicKey(pem).export({ type: 'spki', format: 'pem' }) as string;
}

export const sansan = defineProvider({
  id: 'sansan',
  name: 'SanSan Fintech',
  methods: [{ id: 'sansan.card', label: 'Card', brand: 'card', kind: 'card' }],
  currencies: ['USD'],
  options: sansanOptionsSchema,
  create: createSanSanProvider,
  sandbox: {
    credentials: () => {
      const { aesKey, token, merchantPrivateKey, platformPublicKey } = sandbox();
      return { aesKey, token, merchantPrivateKey, platformPublicKey };
    },
    simulator: ({ options, publicUrl, merchantName, fetch }) => {
      // The simulator holds the other half of each pair: the merchant's public key (derived from
      // the configured private key) and the platform's private key (only this process knows it).
      const secrets = sandbox();
      if (spki(normalisePem(options.platformPublicKey, 'PUBLIC KEY')) !== spki(secrets.platformPublicKey)) {
        throw new Error(
          'providers.sansan.platformPublicKey is not the sandbox platform key made by this process; in sandbox mode leave the SanSan keys to the sandbox credentials',
        );
      }
      const mounted = /^(.*)\/sandbox\/sansan$/.exec(publicUrl.replace(/\/+$/, ''));
      return createSanSanSimulator({
        publicUrl,
        aesKey: options.aesKey,
        token: options.token,
        merchantPublicKey: spki(options.merchantPrivateKey),
        platformPrivateKey: secrets.platformPrivateKey,
        merchantName,
        fetch,
        // SanSan sends webhooks to one URL registered in the merchant backend. Mounted in a BFF at
        // /sandbox/sansan, that is the BFF's /v1/notify/sansan; elsewhere it is set by a control.
        ...(mounted ? { webhookUrl: `${mounted[1]}/v1/notify/sansan` } : {}),
      });
    },
  },
});
