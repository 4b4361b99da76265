export { ExampleComponent } from './ExampleComponent';
