export default definePageConfig({ navigationBarTitleText: '隐患处理' });
