import Workflow from "./Workflow";

export default function WorkflowPage() {
  return (
    <main>
      <Workflow />
    </main>
  );
}
