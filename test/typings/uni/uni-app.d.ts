// The two page hooks of '@dcloudio/uni-app' the example uses, as its docs give them. The package
// itself is the uni runtime (3.0 alphas pull eight @dcloudio runtime packages), too heavy to install for two signatures.
declare module '@dcloudio/uni-app' {
  export function onLoad(hook: (query?: Record<string, string | undefined>) => unknown): void
  export function onUnload(hook: () => unknown): void
}
