// A Backstage frontend plugin in JavaScript, built into a WebAssembly
// component by componentize-js. bigband-dev asks it for the npm packages
// its page needs and for the page's source files, and renders a Backstage
// plugin package around them.
//
// The export's name is the WIT interface's, in camelCase; a function
// returning result<T, E> returns T, or throws E to report an error.

// The plugin's backend (examples/js/backend) is served under this id.
const BACKEND_ID = 'example-js';

// The page: a Backstage header, an InfoCard, and a table of the items the
// backend serves. Plain TSX, written into the generated plugin as it is.
const examplePage = `import { useEffect, useState } from 'react';
import {
  Content,
  Header,
  InfoCard,
  Page,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { discoveryApiRef, fetchApiRef, useApi } from '@backstage/core-plugin-api';
import { Grid, Typography } from '@material-ui/core';

type Item = { id: string; name: string };

const columns: TableColumn<Item>[] = [
  { title: 'ID', field: 'id' },
  { title: 'Name', field: 'name' },
];

// useItems fetches the items from the plugin's backend.
function useItems() {
  const discoveryApi = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  const [items, setItems] = useState<Item[]>();
  const [error, setError] = useState<Error>();
  useEffect(() => {
    let cancelled = false;
    (async () => {
      const base = await discoveryApi.getBaseUrl('${BACKEND_ID}');
      const response = await fetchApi.fetch(base + '/items');
      if (!response.ok) {
        throw new Error('GET /items: ' + response.status + ' ' + response.statusText);
      }
      const body: { items: Item[] } = await response.json();
      if (!cancelled) setItems(body.items);
    })().catch(e => {
      if (!cancelled) setError(e instanceof Error ? e : new Error(String(e)));
    });
    return () => {
      cancelled = true;
    };
  }, [discoveryApi, fetchApi]);
  return { items, error };
}

const ItemsTable = () => {
  const { items, error } = useItems();
  if (error) {
    return <ResponseErrorPanel error={error} />;
  }
  if (!items) {
    return <Progress />;
  }
  return <Table title="Items" options={{ search: false, paging: false }} columns={columns} data={items} />;
};

export const ExamplePage = () => (
  <Page themeId="tool">
    <Header title="Example (JavaScript)" subtitle="A bigband plugin" />
    <Content>
      <Grid container spacing={3} direction="column">
        <Grid item>
          <InfoCard title="About">
            <Typography variant="body1">
              This page was written in JavaScript and runs as WebAssembly.
            </Typography>
          </InfoCard>
        </Grid>
        <Grid item>
          <ItemsTable />
        </Grid>
      </Grid>
    </Content>
  </Page>
);
`;

export const backstageFrontendPlugin = {
  getNodeDeps() {
    // No version: the generated package asks for the newest.
    return [
      { name: '@backstage/core-components', version: undefined, dev: false },
      { name: '@backstage/core-plugin-api', version: undefined, dev: false },
      { name: '@material-ui/core', version: undefined, dev: false },
    ];
  },

  getComponentFiles() {
    return [
      {
        path: 'ExamplePage.tsx',
        isRoot: true,
        componentClassName: 'ExamplePage',
        contents: examplePage,
      },
    ];
  },
};
