/** OTT Pay: WeChat Pay, Alipay and UnionPay QR codes (and H5 links on phones). docs/providers/ottpay.md */
import { createOttPaySimulator } from '../../sandbox/ottpay/index.ts';
import { defineProvider } from '../provider.ts';
import { createOttPayProvider, ottpayOptionsSchema } from './adapter.ts';

export const ottpay = defineProvider({
  id: 'ottpay',
  name: 'OTT Pay',
  methods: [
    { id: 'ottpay.wechat', label: 'WeChat Pay', brand: 'wechat', kind: 'qr' },
    { id: 'ottpay.alipay', label: 'Alipay', brand: 'alipay', kind: 'qr' },
    { id: 'ottpay.unionpay', label: 'UnionPay', brand: 'unionpay', kind: 'qr' },
  ],
  currencies: null,
  options: ottpayOptionsSchema,
  create: createOttPayProvider,
  sandbox: {
    credentials: () => ({
      merchantId: 'QC00000001',
      operatorId: '0000000001',
      signKey: '5A9D0C3E7B21F468',
      currency: 'CAD',
    }),
    simulator: ({ options, publicUrl, merchantName, fetch }) =>
      createOttPaySimulator({
        publicUrl,
        merchantId: options.merchantId,
        operatorId: options.operatorId,
        signKey: options.signKey,
        currency: options.currency,
        merchantName,
        fetch,
      }),
  },
});
