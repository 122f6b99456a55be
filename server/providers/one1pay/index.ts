/** One1Pay: Thai QR and TrueMoney through its payment page, payouts to Thai banks. docs/providers/one1pay.md */
import { createOne1PaySimulator } from '../../sandbox/one1pay/index.ts';
import { defineProvider } from '../provider.ts';
import { createOne1PayProvider, one1payOptionsSchema } from './adapter.ts';

export const one1pay = defineProvider({
  id: 'one1pay',
  name: 'One1Pay',
  methods: [
    { id: 'one1pay.thaiqr', label: 'Thai QR', brand: 'thaiqr', kind: 'redirect' },
    { id: 'one1pay.truemoney', label: 'TrueMoney', brand: 'truemoney', kind: 'redirect' },
  ],
  currencies: ['THB', 'CNY', 'VND', 'INR', 'USDT', 'MYR', 'BDT', 'SGD'],
  options: one1payOptionsSchema,
  create: createOne1PayProvider,
  sandbox: {
    credentials: () => ({
      username: 'sandbox-merchant',
      apiKey: 'one1pay-sandbox-api-key',
      callbackSecret: 'one1pay-sandbox-callback-secret',
    }),
    simulator: ({ options, publicUrl, merchantName, fetch }) =>
      createOne1PaySimulator({
        publicUrl,
        username: options.username,
        apiKey: options.apiKey,
        callbackSecret: options.callbackSecret,
        merchantName,
        fetch,
      }),
  },
});
