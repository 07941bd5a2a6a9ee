// Alipay's runtime has timers, but @mini-types/alipay 3.0.14 does not declare them (the binding uses setTimeout).
declare function setTimeout(callback: () => void, ms?: number): number;
