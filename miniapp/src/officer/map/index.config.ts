export default definePageConfig({ navigationBarTitleText: '隐患地图' });
