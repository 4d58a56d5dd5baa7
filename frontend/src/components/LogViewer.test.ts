import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { nextTick } from 'vue'
import { i18n } from '../i18n'
import { LogBuffer } from '../logBuffer'
import LogViewer from './LogViewer.vue'

function buffer(n: number) {
  const b = new LogBuffer()
  for (let i = 1; i <= n; i++) b.push({ id: i, at: '', host: `node-${(i % 3) + 1}`, step: 's', stream: 'stdout', line: `line ${i}` })
  return b
}

describe('LogViewer', () => {
  it('keeps only the lines in view in the DOM, however many there are', async () => {
    const w = mount(LogViewer, { props: { buffer: buffer(100_000), version: 1 }, global: { plugins: [i18n] } })
    await nextTick()
    expect(w.get('[data-test=log-count]').text()).toContain('100000')
    const rows = w.findAll('.line')
    expect(rows.length).toBeLessThanOrEqual(Math.ceil(420 / 18) + 1)
    // the box is as tall as all the lines, so the scroll bar is true to the whole log
    expect(w.get('[data-test=log] > div').attributes('style')).toContain(`height: ${100_000 * 18}px`)
  })

  it('shows the lines at the scroll position', async () => {
    const w = mount(LogViewer, { props: { buffer: buffer(100_000), version: 1 }, global: { plugins: [i18n] } })
    const box = w.get('[data-test=log]')
    ;(box.element as HTMLElement).scrollTop = 18 * 50_000
    await box.trigger('scroll')
    expect(w.findAll('.line')[0].text()).toContain('line 50001')
  })

  it('counts only the lines matching the search', async () => {
    const w = mount(LogViewer, { props: { buffer: buffer(1_000), version: 1 }, global: { plugins: [i18n] } })
    await w.get('input[data-test=log-search]').setValue('line 99')
    await nextTick()
    // line 99 and line 990..999
    expect(w.get('[data-test=log-count]').text()).toContain('11')
    expect(w.findAll('.line').map((r) => r.text().split(' ').pop())).toEqual(['99', ...Array.from({ length: 10 }, (_, i) => `${990 + i}`)])
  })
})
