/** Parsing a person's details as entered (P1, P4), with the age rule of the contract kind (I1, R1). */
import { AppError } from '../errors';
import type { PartyDetails } from '../domain/contract';
import { parseResidentId } from '../rules/id-number';
import { checkAge, type AgeRange } from '../rules/limits';
import { parseMobile } from '../rules/phone';

export interface ParsedPerson {
  details: PartyDetails;
  birthDate: string;
  kind: 'mainland' | 'hmt';
}

/** Name and ID number only (a face check is started for these before a phone is known). */
export const parseNameAndId = (input: { name: string; idNumber: string }, today: string) => {
  const id = parseResidentId(input.idNumber, today);
  const name = input.name.trim();
  if (!/^[\u3400-\u9fff·•A-Za-z ]{2,30}$/.test(name)) throw new AppError('VALIDATION_FAILED', '姓名格式不正确', { fields: [{ field: '/name', rule: 'pattern' }] });
  return { name, idNumber: id.normalized, birthDate: id.birthDate, kind: id.kind };
};

export const parsePerson = (input: { name: string; idNumber: string; phone: string }, today: string): ParsedPerson => {
  const { name, idNumber, birthDate, kind } = parseNameAndId(input, today);
  return { details: { name, idNumber, phone: parseMobile(input.phone) }, birthDate, kind };
};

/** Age on `day` within the kind's range, and mainland only where the kind requires it (P4). */
export const checkEligible = (person: { birthDate: string; kind: 'mainland' | 'hmt' }, day: string, range: AgeRange, mainlandOnly: boolean): void => {
  if (mainlandOnly && person.kind !== 'mainland') throw new AppError('INVALID_ID_NUMBER', '目前仅支持中国大陆居民身份证', { reason: 'not_mainland' });
  checkAge(person.birthDate, day, range);
};
