/**
 * A DocumentModel as plain text: the template preview (合同范文) the catalogue returns for the
 * mini-program to show before anyone fills a form (T1, T4), without rendering a PDF. It reads
 * like the PDF — title, 合同编号, headings, 第N条 clauses with （一） items, tables as rows.
 */
import { chineseNumber } from './layout';
import type { DocumentModel } from './model';

export const modelToText = (model: DocumentModel): string => {
  const lines: string[] = [model.title, `${model.numberLabel ?? '合同编号'}：${model.contractNo}`, ''];
  for (const b of model.blocks) {
    switch (b.kind) {
      case 'heading':
        lines.push('', b.text);
        break;
      case 'paragraph':
        lines.push(b.indent === false || b.align ? b.text : `\u3000\u3000${b.text}`);
        break;
      case 'keyValue':
        b.rows.forEach((r) => lines.push(`${r.key}：${r.value}`));
        break;
      case 'table':
        lines.push(b.columns.map((c) => c.title).join(' | '));
        b.rows.forEach((r) => lines.push(r.join(' | ')));
        break;
      case 'clauses':
        b.clauses.forEach((c, i) => {
          const clause = typeof c === 'string' ? { text: c } : c;
          lines.push(`第${chineseNumber((b.startAt ?? 1) + i)}条\u3000${clause.text}`);
          (clause.items ?? []).forEach((item, j) => lines.push(`\u3000\u3000（${chineseNumber(j + 1)}）${item}`));
        });
        break;
      case 'signatureAreas':
        lines.push('');
        b.parties.forEach((p) => lines.push(`${p.role}：${p.name}${p.maskedId ? `　身份证号：${p.maskedId}` : ''}　签章：`));
        break;
      case 'spacer':
        lines.push('');
        break;
    }
  }
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').trim();
};
