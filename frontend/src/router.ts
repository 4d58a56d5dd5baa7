import { createRouter, createWebHashHistory } from 'vue-router'
import { useSession } from './stores/session'

export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/login', component: () => import('./views/LoginView.vue') },
    { path: '/password', component: () => import('./views/PasswordView.vue') },
    {
      path: '/',
      component: () => import('./components/AppLayout.vue'),
      children: [
        { path: '', component: () => import('./views/OverviewView.vue') },
        { path: 'hosts', component: () => import('./views/HostsView.vue') },
        { path: 'credentials', component: () => import('./views/CredentialsView.vue') },
        { path: 'clusters', component: () => import('./views/ClustersView.vue') },
        { path: 'versions', component: () => import('./views/VersionsView.vue') },
        { path: 'settings', component: () => import('./views/SettingsView.vue') },
        { path: 'infrastructure', component: () => import('./views/InfrastructureView.vue') },
        { path: 'projects', component: () => import('./views/ProjectsView.vue') },
        { path: 'users', component: () => import('./views/UsersView.vue') },
        { path: 'audit', component: () => import('./views/AuditView.vue') },
        { path: 'clusters/new', component: () => import('./views/ClusterWizard.vue') },
        { path: 'clusters/:name', component: () => import('./views/ClusterView.vue'), props: true },
        { path: 'clusters/:name/explore', component: () => import('./views/ClusterExplorer.vue'), props: true },
        { path: 'tasks/:id', component: () => import('./views/TaskView.vue'), props: true },
      ],
    },
  ],
})

// Not logged in: the login page. A password to change: nothing else until it is changed.
router.beforeEach(async (to) => {
  const session = useSession()
  if (!session.checked) await session.refresh()
  if (!session.me) return to.path === '/login' ? true : '/login'
  if (session.me.must_change_password) return to.path === '/password' ? true : '/password'
  if (to.path === '/login' || to.path === '/password') return '/'
  return true
})
