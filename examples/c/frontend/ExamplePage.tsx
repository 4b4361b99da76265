import { useEffect, useState } from 'react';
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
import {
  discoveryApiRef,
  fetchApiRef,
  useApi,
} from '@backstage/core-plugin-api';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';

type Item = { id: string; name: string };

const columns: TableColumn<Item>[] = [
  { title: 'ID', field: 'id' },
  { title: 'Name', field: 'name' },
];

// ItemsTable fetches the items from this plugin's backend, example-c.
const ItemsTable = () => {
  const discoveryApi = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  const [items, setItems] = useState<Item[]>();
  const [error, setError] = useState<Error>();

  useEffect(() => {
    let cancelled = false;
    (async () => {
      const base = await discoveryApi.getBaseUrl('example-c');
      const res = await fetchApi.fetch(`${base}/items`);
      if (!res.ok) {
        throw new Error(`GET ${base}/items: ${res.status} ${res.statusText}`);
      }
      const body: { items: Item[] } = await res.json();
      if (!cancelled) setItems(body.items);
    })().catch(e => {
      if (!cancelled) setError(e instanceof Error ? e : new Error(String(e)));
    });
    return () => {
      cancelled = true;
    };
  }, [discoveryApi, fetchApi]);

  if (error) return <ResponseErrorPanel error={error} />;
  if (!items) return <Progress />;
  return (
    <Table
      title="Items"
      options={{ search: false, paging: false }}
      columns={columns}
      data={items}
    />
  );
};

export const ExamplePage = () => (
  <Page themeId="tool">
    <Header title="Example (C)" />
    <Content>
      <Grid container spacing={3} direction="column">
        <Grid item>
          <InfoCard title="About">
            <Typography variant="body1">
              This plugin was written in C and runs as WebAssembly.
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
