import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * WeCom's XML is flat text fields plus the nested SelectedItems of card taps. Everything stays
 * a string (MsgId exceeds 2^53), entities are never expanded, and a DOCTYPE is refused outright:
 * WeCom never sends one, and it is the door to entity-expansion attacks.
 */
const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  processEntities: false,
  htmlEntities: false,
  trimValues: true,
  cdataPropName: false,
  isArray: (name) => name === 'SelectedItem' || name === 'OptionId',
});

export type XmlFields = Record<string, unknown>;

export class MalformedXml extends Error {}

export function parseXml(text: string): XmlFields {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new MalformedXml('DOCTYPE/ENTITY declarations are not accepted');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new MalformedXml(`${valid.err.msg} (line ${valid.err.line})`);
  const doc = parser.parse(text) as Record<string, unknown>;
  const root = doc.xml;
  if (!root || typeof root !== 'object') throw new MalformedXml('root element <xml> missing');
  return root as XmlFields;
}

export function field(fields: XmlFields, name: string): string | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object') return undefined;
  return String(value);
}
