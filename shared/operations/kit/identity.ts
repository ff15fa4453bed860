/** Parsing a person's details as entered (P1, P4), with the age rule of the contract kind (I1, R1). */
import { AppError } from '../../errors';
import type { PartyDetails } from '../../domain/contract';
import { parseResidentId } from '../../rules/id-number';
import { checkAge, type AgeRange } from '../../rules/limits';
import { parseMobile } from '../../rules/phone';

export interface ParsedPerson {
  details: PartyDetails;
  birthDate: string;
  kind: 'mainland' | 'hmt';
}

export const parsePerson = (input: { name: string; idNumber: string; phone: string }, today: string): ParsedPerson => {
  const id = parseResidentId(input.idNumber, today);
  const phone = parseMobile(input.phone);
  const name = input.name.trim();
  if (!/^[\u3400-\u9fff·•A-Za-z ]{2,30}$/.test(name)) throw new AppError('VALIDATION_FAILED', '姓名格式不正确', { fields: [{ field: '/name', rule: 'pattern' }] });
  return { details: { name, idNumber: id.normalized, phone }, birthDate: id.birthDate, kind: id.kind };
};

/** Age on `day` within the kind's range, and mainland only where the kind requires it (P4). */
export const checkEligible = (person: { birthDate: string; kind: 'mainland' | 'hmt' }, day: string, range: AgeRange, mainlandOnly: boolean): void => {
  if (mainlandOnly && person.kind !== 'mainland') throw new AppError('INVALID_ID_NUMBER', '目前仅支持中国大陆居民身份证', { reason: 'not_mainland' });
  checkAge(person.birthDate, day, range);
};
