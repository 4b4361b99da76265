import '@backstage/cli/asset-types';
import ReactDOM from 'react-dom/client';
import App from './App';
import '@backstage/ui/css/styles.css';
if (process.env.NODE_ENV === 'development') import('./bigband-dev');

ReactDOM.createRoot(document.getElementById('root')!).render(<App />);
