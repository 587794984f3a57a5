import ClientCheck from "./ClientCheck";

export default function Home() {
  return (
    <main>
      <ClientCheck />
    </main>
  );
}
