import { describe, expect, it } from 'vitest';
import { cardNumberValid, ibanValid, ipv4Valid, ipv6Valid, luhnValid, ssnValid } from './checksums.js';

describe('luhnValid / cardNumberValid', () => {
  it('accepts test numbers of the major brands', () => {
    for (const n of [
      '4111111111111111',
      '5555555555554444',
      '378282246310005',
      '6011111111111117',
      '3530111333300000',
      '2223003122003222',
      '30569309025904',
      '4222222222222',
    ]) {
      expect(cardNumberValid(n), n).toBe(true);
    }
  });
  it('rejects a number with one digit changed', () => {
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(cardNumberValid('4111111111111112')).toBe(false);
  });
  it('rejects Luhn-valid numbers without a card issuer prefix or length, such as ms timestamps', () => {
    expect(luhnValid('1718049000009')).toBe(true);
    expect(cardNumberValid('1718049000009')).toBe(false);
    expect(cardNumberValid('41111111111111')).toBe(false); // Visa with 14 digits
  });
});

describe('ibanValid', () => {
  it('accepts IBANs of several countries, in either case', () => {
    for (const iban of [
      'DE89370400440532013000',
      'GB82WEST12345698765432',
      'FR1420041010050500013M02606',
      'NL91ABNA0417164300',
      'gb82west12345698765432',
    ]) {
      expect(ibanValid(iban), iban).toBe(true);
    }
  });
  it('rejects a wrong check digit, a wrong length for the country, and an unknown country', () => {
    expect(ibanValid('DE89370400440532013001')).toBe(false);
    expect(ibanValid('DE8937040044053201300')).toBe(false);
    expect(ibanValid('ZZ89370400440532013000')).toBe(false);
  });
});

describe('ssnValid', () => {
  it('accepts an SSN in the valid ranges', () => {
    expect(ssnValid('536323065')).toBe(true);
  });
  it('rejects area 000, 666 and 9xx, group 00, serial 0000 and the known sample numbers', () => {
    for (const n of ['000123456', '666123456', '912345678', '123004567', '123450000', '078051120', '219099999']) {
      expect(ssnValid(n), n).toBe(false);
    }
  });
});

describe('ipv4Valid / ipv6Valid', () => {
  it('accepts dotted quads with octets up to 255 and rejects others', () => {
    expect(ipv4Valid('203.0.113.42')).toBe(true);
    expect(ipv4Valid('256.1.1.1')).toBe(false);
    expect(ipv4Valid('01.2.3.4')).toBe(false);
    expect(ipv4Valid('1.2.3')).toBe(false);
  });
  it('accepts full, compressed and IPv4-mapped IPv6 and rejects times, MACs and code', () => {
    for (const a of ['2001:db8:85a3::8a2e:370:7334', '2001:0db8:85a3:0000:0000:8a2e:0370:7334', '::1', 'fe80::1', '::ffff:192.0.2.128']) {
      expect(ipv6Valid(a), a).toBe(true);
    }
    for (const a of ['10:30:00', '00:1A:2B:3C:4D:5E', 'Dead::Beef', '1::2::3', '1:2:3:4:5:6:7:8:9']) {
      expect(ipv6Valid(a), a).toBe(false);
    }
  });
});
