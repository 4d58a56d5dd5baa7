import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

// `npm run dev` proxies the API to a `koctl serve` on its default address. Element Plus components
// (and their CSS) are imported where a template uses them, not the whole library; their types come
// from `element-plus/global`.
export default defineConfig({
  plugins: [vue(), Components({ resolvers: [ElementPlusResolver({ importStyle: 'css' })], dts: false })],
  server: { proxy: { '/api': 'http://127.0.0.1:7780' } },
  // Element Plus's ES modules import their CSS: Vitest runs them through Vite, not Node
  test: { environment: 'jsdom', include: ['src/**/*.test.ts'], server: { deps: { inline: ['element-plus'] } } },
})
