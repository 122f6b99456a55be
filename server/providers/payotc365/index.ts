/**
 * PayOtc365: a USDT wallet whose balance Tender reports. Its document defines no pay-in, so it
 * offers no methods. docs/providers/payotc365.md
 */
import { createPayOtc365Simulator } from '../../sandbox/payotc365/index.ts';
import { defineProvider } from '../provider.ts';
import { createPayOtc365Provider, payotc365OptionsSchema } from './adapter.ts';

export const payotc365 = defineProvider({
  id: 'payotc365',
  name: 'PayOtc365',
  methods: [],
  currencies: ['USDT'],
  options: payotc365OptionsSchema,
  create: createPayOtc365Provider,
  sandbox: {
    credentials: () => ({ appId: 'sandbox-app-0001', secret: 'payotc365-sandbox-secret' }),
    simulator: ({ options, publicUrl }) =>
      createPayOtc365Simulator({ publicUrl, appId: options.appId, secret: options.secret }),
  },
});
