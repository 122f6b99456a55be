/** KessPay: WeChat Pay and Alipay QR codes, buyer codes at a till, JSAPI inside WeChat. docs/providers/kesspay.md */
import { createKessPaySimulator } from '../../sandbox/kesspay/index.ts';
import { defineProvider } from '../provider.ts';
import { createKessPayProvider } from './adapter.ts';
import { kesspayOptionsSchema } from './options.ts';

export const kesspay = defineProvider({
  id: 'kesspay',
  name: 'KessPay',
  methods: [
    { id: 'kesspay.wechat', label: 'WeChat Pay', brand: 'wechat', kind: 'qr' },
    { id: 'kesspay.alipay', label: 'Alipay', brand: 'alipay', kind: 'qr' },
  ],
  currencies: null,
  options: kesspayOptionsSchema,
  create: createKessPayProvider,
  sandbox: {
    credentials: () => ({
      user: 'sandbox-cashier',
      password: 'kesspay-sandbox-password',
      storeId: '109038',
      currency: 'USD',
    }),
    simulator: ({ options, publicUrl, merchantName }) =>
      createKessPaySimulator({
        publicUrl,
        user: options.user,
        password: options.password,
        storeId: options.storeId,
        currency: options.currency,
        merchantName,
        paths: options.paths,
        serviceIds: options.serviceIds,
      }),
  },
});
