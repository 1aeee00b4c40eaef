export default definePageConfig({ navigationBarTitleText: '月会商' });
