import { generateKeyPairSync, verify } from 'node:crypto';
import {
  AUTH_SCHEMA,
  buildAuthorization,
  buildRequestPaymentParams,
  canonicalUrl,
  generateNonce,
  parseAuthorization,
  requestPaymentSignatureMessage,
  requestSignatureMessage,
} from '../../shared/adapters/wechatpay/request-signing';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

describe('request signature (《签名生成》)', () => {
  it('builds the five-line message of the documentation example, last line included', () => {
    // The doc's GET /v3/certificates example: empty body still ends with "\n".
    expect(
      requestSignatureMessage('GET', '/v3/certificates', '1554208460', '593BEC0C930BF1AFEB40B4A08C8FB242', ''),
    ).toBe('GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n');
  });

  it('signs path + query only (no scheme/host)', () => {
    const url = new URL('https://api.mch.weixin.qq.com/v3/pay/transactions/out-trade-no/ORDER_000123?mchid=1900009191');
    expect(canonicalUrl(url)).toBe('/v3/pay/transactions/out-trade-no/ORDER_000123?mchid=1900009191');
  });

  it('produces an Authorization header whose signature verifies with the merchant public key', () => {
    const url = new URL('https://api.mch.weixin.qq.com/v3/pay/transactions/jsapi');
    const body = '{"appid":"wx1","amount":{"total":100,"currency":"CNY"},"description":"借条"}';
    const header = buildAuthorization({
      mchid: '1900009191',
      serialNo: '408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB',
      privateKey,
      method: 'POST',
      url,
      body,
      timestamp: '1554208460',
      nonce: '593BEC0C930BF1AFEB40B4A08C8FB242',
    });
    expect(header).toMatch(
      /^WECHATPAY2-SHA256-RSA2048 mchid="1900009191",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",signature="[A-Za-z0-9+/]+=*",timestamp="1554208460",serial_no="408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB"$/,
    );
    const parsed = parseAuthorization(header);
    expect(parsed).toBeDefined();
    // Message rebuilt by hand here, not with the module's helper.
    const message = `POST\n/v3/pay/transactions/jsapi\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n${body}\n`;
    expect(verify('sha256', Buffer.from(message, 'utf8'), publicKey, Buffer.from(parsed!.signature, 'base64'))).toBe(
      true,
    );
  });

  it('parses back only well-formed headers', () => {
    expect(parseAuthorization(undefined)).toBeUndefined();
    expect(parseAuthorization('Bearer abc')).toBeUndefined();
    expect(parseAuthorization(`${AUTH_SCHEMA} mchid="1",nonce_str="n",timestamp="1",serial_no="S"`)).toBeUndefined(); // no signature
    expect(
      parseAuthorization(`${AUTH_SCHEMA} mchid="1",mchid="2",nonce_str="n",signature="s",timestamp="1",serial_no="S"`),
    ).toBeUndefined();
    // Pairs in any order are fine (《签名生成》: "无顺序要求").
    expect(
      parseAuthorization(`${AUTH_SCHEMA} serial_no="S",signature="c2ln",mchid="1",timestamp="1",nonce_str="n"`),
    ).toEqual({
      mchid: '1',
      nonce_str: 'n',
      signature: 'c2ln',
      timestamp: '1',
      serial_no: 'S',
    });
  });

  it('generates 32-character nonces', () => {
    const a = generateNonce();
    expect(a).toMatch(/^[0-9A-F]{32}$/);
    expect(generateNonce()).not.toBe(a);
  });
});

describe('wx.requestPayment paySign (《小程序调起支付》)', () => {
  it('signs appId\\ntimeStamp\\nnonceStr\\npackage\\n as in the documentation example', () => {
    expect(
      requestPaymentSignatureMessage(
        'wx8888888888888888',
        '1414561699',
        '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
        'prepay_id=wx201410272009395522657a690389285100',
      ),
    ).toBe(
      'wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx201410272009395522657a690389285100\n',
    );

    const params = buildRequestPaymentParams({
      appid: 'wx8888888888888888',
      prepayId: 'wx201410272009395522657a690389285100',
      privateKey,
      timeStamp: '1414561699',
      nonceStr: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
    });
    expect(params).toMatchObject({
      timeStamp: '1414561699',
      nonceStr: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
      package: 'prepay_id=wx201410272009395522657a690389285100',
      signType: 'RSA',
    });
    const message =
      'wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx201410272009395522657a690389285100\n';
    expect(verify('sha256', Buffer.from(message), publicKey, Buffer.from(params.paySign, 'base64'))).toBe(true);
  });
});
