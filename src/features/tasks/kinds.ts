/**
 * Every kind of task the features open (`<feature>.<what>`, the engine's `kind`), and what staff
 * call it: the console's 类型 column and its filter read this. A feature that opens a new kind of
 * task adds its line here.
 */
export const TASK_KIND_TEXT: Record<string, string> = {
  'tasks.manual': '派发任务',
  'handover.confirm': '交班待确认',
  'handover.dispute': '交班异议',
  'handover.cashDifference': '交班现金差异',
  'workorder.ack': '维修工单待受理',
  'workorder.close': '维修工单待完成',
  'stock.lossHold': '报损待审',
  'stock.modelReading': '库存待确认',
  'stock.lateDelivery': '到货未入库',
};

/** A kind no feature declared (from an older version, say) still reads as words, not as a code. */
export const taskKindText = (kind: string): string => TASK_KIND_TEXT[kind] ?? '其他任务';
