/**
 * Who a visitor can be in the sandbox. These are WeCom userids the demo uses; the stock and
 * handover features give them stores and roles in their own demo data.
 */
export interface Persona {
  userid: string;
  name: string;
  role: '店员' | '新员工' | '店长' | '区域经理';
  store: string;
}

export const PERSONAS: Persona[] = [
  { userid: 'zhangxiaomei', name: '张小美', role: '店员', store: '一店 · 人民路' },
  { userid: 'liqiang', name: '李强', role: '店员', store: '一店 · 人民路' },
  { userid: 'wangxin', name: '王欣', role: '新员工', store: '一店 · 人民路' },
  { userid: 'chenjing', name: '陈静', role: '店员', store: '二店 · 滨江路' },
  { userid: 'zhaolei', name: '赵磊', role: '店员', store: '二店 · 滨江路' },
  { userid: 'sunli', name: '孙丽', role: '店员', store: '二店 · 滨江路' },
  { userid: 'zhoumanager', name: '周店长', role: '店长', store: '一店 · 人民路' },
  { userid: 'wumanager', name: '吴店长', role: '店长', store: '二店 · 滨江路' },
  { userid: 'liuarea', name: '刘经理', role: '区域经理', store: '华东区' },
];
