/**
 * The IOU's document: its model (iou-model.ts) drawn as a PDF by the shared renderer.
 */
import { buildIouDocument, type IouDocumentData } from './iou-model';
import { renderDocument, RenderedDocument, RenderOptions } from './render';

export * from './iou-model';

export const renderIou = (data: IouDocumentData, options?: RenderOptions): Promise<RenderedDocument> =>
  renderDocument(buildIouDocument(data), options);
