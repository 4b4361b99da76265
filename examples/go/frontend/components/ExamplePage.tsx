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
import { Grid, Typography } from '@material-ui/core';

type Item = { id: string; name: string };

const columns: TableColumn<Item>[] = [
  { title: 'ID', field: 'id' },
  { title: 'Name', field: 'name' },
];

// ItemsTable fetches the items from the backend plugin example-go.
const ItemsTable = () => {
  const discoveryApi = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  const [items, setItems] = useState<Item[] | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);

  useEffect(() => {
    let cancelled = false;
    const load = async () => {
      const baseUrl = await discoveryApi.getBaseUrl('example-go');
      const response = await fetchApi.fetch(`${baseUrl}/items`);
      if (!response.ok) {
        throw new Error(`GET ${baseUrl}/items: ${response.status} ${response.statusText}`);
      }
      const data: { items: Item[] } = await response.json();
      if (!cancelled) {
        setItems(data.items);
      }
    };
    load().catch((e: Error) => {
      if (!cancelled) {
        setError(e);
      }
    });
    return () => {
      cancelled = true;
    };
  }, [discoveryApi, fetchApi]);

  if (error) {
    return <ResponseErrorPanel error={error} />;
  }
  if (!items) {
    return <Progress />;
  }
  return (
    <Table<Item>
      title="Items"
      options={{ search: false, paging: false }}
      columns={columns}
      data={items}
    />
  );
};

export const ExamplePage = () => (
  <Page themeId="tool">
    <Header title="Example (Go)" />
    <Content>
      <Grid container spacing={3} direction="column">
        <Grid item>
          <InfoCard title="About">
            <Typography variant="body1">
              This plugin was written in Go and runs as WebAssembly.
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
