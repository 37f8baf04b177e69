// The catalog's front door: what other modules and flows may use.
export { createProduct, findProduct, getProduct, listProducts, updateProduct, toProduct } from './catalog.service.ts';
export { Product, ProductCreate, ProductUpdate, ProductKind, ProductStatus, Period } from './catalog.schemas.ts';
