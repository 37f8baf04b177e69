// The console runs under a Content-Security-Policy without 'unsafe-inline' for styles: a <style> element
// applies only if it carries this response's nonce (server/src/platform/http/console.ts). Ant Design's
// CSS-in-JS gets it through ConfigProvider, but rc-util also writes small <style> tags of its own (scroll-bar
// measuring, the scroll locker of modals and drawers) with no way to pass a nonce. So every <style> element
// this app's own scripts create gets the nonce: no weaker than the policy, since only our scripts ('self')
// run, while a <style> smuggled in as markup (parsed, not created) still has none and stays blocked.
export const cspNonce: string | undefined =
  (document.querySelector('meta[property="csp-nonce"]') as HTMLMetaElement | null)?.nonce || undefined;

if (cspNonce) {
  const create = Document.prototype.createElement;
  Document.prototype.createElement = function (this: Document, tag: string, options?: ElementCreationOptions) {
    const el = create.call(this, tag, options);
    if (el instanceof HTMLStyleElement) el.nonce = cspNonce;
    return el;
  } as typeof Document.prototype.createElement;
}
